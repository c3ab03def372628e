"""Read-only views for support staff: what the parties said is never edited here."""

from django.contrib import admin

from .models import Conversation, Message


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["id", "buyer", "store", "last_seq", "last_message_at"]
    list_select_related = ["buyer", "store"]
    search_fields = ["buyer__username", "store__name"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "conversation", "seq", "sender", "from_store", "created_at"]
    list_select_related = ["conversation__buyer", "conversation__store", "sender"]
    search_fields = ["body", "sender__username"]
