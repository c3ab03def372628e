from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("products/<int:product_id>/reviews/new/", views.review_new, name="new"),
    path("reviews/<int:review_id>/edit/", views.review_edit, name="edit"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="reply"),
]
