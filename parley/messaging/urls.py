from django.urls import path

from parley.attachments.views import attachment_download_view

from . import views
from .selectors import can_read_attachment

attachment = attachment_download_view(can_read_attachment)

app_name = "messaging"
urlpatterns = [
    path("messages/", views.message_center, name="center"),
    path("messages/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("contact/<slug:slug>/", views.contact, name="contact"),
    path("messages/photos/<int:attachment_id>/", attachment, name="attachment"),
    path(
        "messages/photos/<int:attachment_id>/thumb/",
        attachment,
        {"thumbnail": True},
        name="attachment-thumb",
    ),
]
