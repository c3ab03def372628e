"""A URL for the generic download view with the simplest rule: only the owner may read."""

from django.urls import path

from parley.attachments.views import attachment_download_view

download = attachment_download_view(lambda user, attachment: attachment.owner_id == user.pk)

urlpatterns = [
    path("a/<int:attachment_id>/", download, name="file"),
    path("a/<int:attachment_id>/thumb/", download, {"thumbnail": True}, name="thumb"),
]
