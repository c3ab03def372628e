"""Turn a stored notification into words in the active language, and sign unsubscribe links."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from parley.accounts.models import User

from .kinds import KINDS
from .models import Notification

UNSUBSCRIBE_SALT = "parley.notifications.unsubscribe"


@dataclass(frozen=True)
class Rendered:
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: object
    read: bool


def render_notification(notification: Notification, *, absolute: bool = False) -> Rendered:
    """Render in the active language; a missing parameter leaves the template readable."""
    template = str(KINDS[notification.kind].title)
    params = dict(notification.params)
    try:
        title = template % params
    except (KeyError, TypeError, ValueError):
        title = str(KINDS[notification.kind].label)
    link = notification.link
    if absolute and link.startswith("/"):
        link = settings.SITE_URL.rstrip("/") + link
    return Rendered(
        id=notification.pk,
        kind=notification.kind,
        title=title,
        body=str(params.get("text", "")),
        link=link,
        created_at=notification.created_at,
        read=notification.read_at is not None,
    )


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user: User, kind: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)])
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a link was signed for, or None if it was tampered with."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(data, dict)
        or data.get("k") not in KINDS
        or not isinstance(data.get("u"), int)
    ):
        return None
    return data["u"], data["k"]
