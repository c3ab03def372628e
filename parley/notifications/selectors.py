"""Reads of notifications; a reader only ever sees their own."""

from django.conf import settings
from django.db.models import QuerySet

from parley.accounts.models import User

from .kinds import KINDS
from .models import Notification, Preference


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).order_by("-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def preferences_for(user: User) -> dict[str, bool]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, settings.NOTIFY_EMAIL_DEFAULT) for kind in KINDS}
