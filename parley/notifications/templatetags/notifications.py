from typing import Any

from django import template
from django.conf import settings

from ..services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/includes/bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The header's bell with the unread count; JavaScript keeps the number current."""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    return {
        "signed_in": signed_in,
        "unread": unread_count(user.pk) if signed_in else 0,
        "poll_seconds": settings.NOTIFY_POLL_SECONDS,
    }
