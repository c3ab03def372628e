from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from parley.attachments.images import megabytes

from .selectors import unread_total_for


def messaging(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count (counted only if a template asks) and the form's limits."""
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        return unread_total_for(user) if user is not None and user.is_authenticated else 0

    return {
        "messaging_unread": unread,
        "messaging_limits": {
            "max_length": settings.MESSAGE_MAX_LENGTH,
            "per_message": settings.ATTACHMENTS_PER_MESSAGE,
            "max_mb": megabytes(settings.ATTACHMENT_MAX_BYTES),
        },
    }
