"""Remind a store when a buyer's message has waited for an answer (24 h, then 48 h).

Each level is sent at most once per unanswered message (the notification's dedupe key), and
not at all when the store's away notice covers the moment it falls due: the buyer sees the
notice instead. A job scheduled when the buyer writes and a sweep command both call
``reply_reminders_send``, which re-reads the conversation, so either may run any number of
times, also together.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from parley.core.clock import now
from parley.marketplace.models import Store, StoreMembership
from parley.notifications.services import notify

from .models import Conversation, Message


def reminder_levels() -> list[timedelta]:
    return sorted(timedelta(hours=h) for h in settings.REPLY_REMINDER_HOURS)


@dataclass(frozen=True)
class Waiting:
    message: Message
    since: datetime


def first_unanswered(conversation: Conversation) -> Waiting | None:
    """The buyer's first message after the store's last one, if any."""
    answered = (
        Message.objects.filter(conversation=conversation, from_store=True).aggregate(
            seq=Max("seq")
        )["seq"]
        or 0
    )
    message = (
        Message.objects.filter(conversation=conversation, from_store=False, seq__gt=answered)
        .select_related("sender")
        .order_by("seq")
        .first()
    )
    return Waiting(message, message.created_at) if message else None


def away_covers(store: Store, moment: datetime) -> bool:
    """Whether the store's away notice is shown at ``moment`` (through its return date)."""
    return (
        bool(store.away_message)
        and store.away_until is not None
        and store.away_until >= timezone.localdate(moment)
    )


def reply_reminders_send(conversation: Conversation, *, at: datetime | None = None) -> int | None:
    """Send the highest reminder level now due for this conversation; return its hours, or
    None when nothing is due (answered, too early, or covered by the away notice)."""
    moment = at or now()
    waiting = first_unanswered(conversation)
    if waiting is None:
        return None
    due = [level for level in reminder_levels() if waiting.since + level <= moment]
    if not due:
        return None
    level = due[-1]
    store = conversation.store
    if away_covers(store, waiting.since + level):
        return None
    hours = int(level.total_seconds() // 3600)
    members = StoreMembership.objects.filter(store=store).values_list("user_id", flat=True)
    notify(
        recipients=list(members),
        kind="reply_reminder",
        params={"buyer": waiting.message.sender.public_name, "hours": hours, "store": store.name},
        link=reverse("messaging:conversation", args=[conversation.pk])
        + f"#m-{waiting.message.seq}",
        group=f"reply-reminder:{conversation.pk}",
        dedupe_key=f"reply-reminder:{conversation.pk}:{waiting.message.seq}:{hours}",
    )
    return hours


def reply_reminders_sweep(*, at: datetime | None = None) -> int:
    """Check every conversation whose last word is the buyer's; return how many had a
    reminder due (each is recorded once, however often this runs)."""
    moment = at or now()
    first_level = reminder_levels()[0]
    last_from_store = Message.objects.filter(
        conversation=OuterRef("pk"), seq=OuterRef("last_seq")
    ).values("from_store")[:1]
    candidates = (
        Conversation.objects.annotate(last_from_store=Subquery(last_from_store))
        .filter(last_from_store=False, last_message_at__isnull=False)
        .filter(first_buyer_message_at__lte=moment - first_level)
        .select_related("store")
    )
    return sum(1 for c in candidates.iterator() if reply_reminders_send(c, at=moment))
