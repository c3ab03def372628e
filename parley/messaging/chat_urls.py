from django.urls import path

from . import chat_views

app_name = "chat"
urlpatterns = [
    path("chat/start/<slug:slug>/", chat_views.chat_start, name="start"),
    path("chat/<int:conversation_id>/", chat_views.chat_window, name="window"),
]
