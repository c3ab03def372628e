"""Search in the messages the reader may see: their own conversations, or, for a store's
members, the store's. Nothing from another conversation can match, whatever the query."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from parley.accounts.models import User
from parley.marketplace.models import Store
from parley.marketplace.selectors import store_ids_for_member
from parley.messaging.models import Conversation, Message, MessageAttachment

from .engines import newest_matching
from .text import highlight, query_stems


@dataclass(frozen=True)
class SearchFilters:
    store: str | None = None  # a store's slug (for a buyer)
    buyer: int | None = None  # a buyer's id (for a seller)
    date_from: date | None = None  # inclusive, in the reader's time zone
    date_to: date | None = None
    has_photos: bool = False


@dataclass(frozen=True)
class Hit:
    message: Message
    highlighted: SafeString


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    next_cursor: int | None


def readable_messages(user: User) -> QuerySet[Message]:
    if not user.is_authenticated:
        return Message.objects.none()
    return Message.objects.filter(
        Q(conversation__buyer=user) | Q(conversation__store_id__in=store_ids_for_member(user))
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_messages(
    user: User,
    query: str,
    filters: SearchFilters = SearchFilters(),
    *,
    before: int | None = None,
    limit: int = 20,
) -> SearchPage:
    """Messages matching every word of ``query`` (any grammatical form), newest first, with
    the matching words highlighted; ``before`` is the cursor from the previous page."""
    qs = readable_messages(user)
    if filters.store:
        qs = qs.filter(conversation__store__slug=filters.store)
    if filters.buyer:
        qs = qs.filter(conversation__buyer_id=filters.buyer)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.has_photos:
        qs = qs.filter(Exists(MessageAttachment.objects.filter(message=OuterRef("pk"))))
    found = newest_matching(qs, query, before=before)
    if found is None:
        return SearchPage([], None)
    rows = list(
        found.select_related("sender", "conversation__store", "conversation__buyer")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    stems = query_stems(query)
    hits = [Hit(m, highlight(m.body, stems)) for m in rows]
    return SearchPage(hits, rows[-1].pk if more and rows else None)


def filter_choices(user: User) -> tuple[list[Store], list[User]]:
    """The stores a buyer talks to and the buyers who wrote to the reader's stores."""
    mine = Conversation.objects.filter(buyer=user, last_message_at__isnull=False)
    stores = list(Store.objects.filter(pk__in=mine.values("store_id")).order_by("name"))
    theirs = Conversation.objects.filter(
        store_id__in=store_ids_for_member(user), last_message_at__isnull=False
    )
    buyers = list(User.objects.filter(pk__in=theirs.values("buyer_id")).order_by("username"))
    return stores, buyers
