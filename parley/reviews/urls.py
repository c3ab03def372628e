from django.urls import path

from parley.attachments.views import attachment_download_view

from . import views
from .selectors import review_photo_is_public

photo = attachment_download_view(review_photo_is_public)

app_name = "reviews"
urlpatterns = [
    path("products/<int:product_id>/reviews/new/", views.review_new, name="new"),
    path("reviews/<int:review_id>/edit/", views.review_edit, name="edit"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="reply"),
    path("reviews/photos/<int:attachment_id>/", photo, name="photo"),
    path(
        "reviews/photos/<int:attachment_id>/thumbnail/",
        photo,
        {"thumbnail": True},
        name="photo-thumbnail",
    ),
]
