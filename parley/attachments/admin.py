from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "owner", "content_type", "size", "received_at"]
    search_fields = ["original_name", "sha256", "owner__username"]
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
