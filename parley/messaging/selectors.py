"""Reads of conversations, each with its permission check: only the buyer and the store's
members ever see a conversation; for anybody else it does not exist."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.core.clock import now
from parley.core.errors import NotFound
from parley.core.sql import fetch, readers
from parley.marketplace.models import Order, Product, Store
from parley.marketplace.selectors import store_ids_for_member

from . import rules
from .models import Conversation, Message, MessageAttachment, ReadMarker


def is_participant(user: User, conversation: Conversation) -> bool:
    if not user.is_authenticated:
        return False
    # By the store's id, so that a conversation loaded without its store needs no extra query.
    return conversation.buyer_id == user.pk or conversation.store_id in store_ids_for_member(user)


def _with_unread(user: User, qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Each dialog with the reader's ``read_seq``, ``reader_is_buyer`` and ``unread``: messages
    from the other side after the read marker. Correlated subqueries, so only for few rows."""
    read_seq = ReadMarker.objects.filter(conversation=OuterRef("pk"), user=user).values(
        "last_read_seq"
    )[:1]
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            seq__gt=OuterRef("read_seq"),
            from_store=OuterRef("reader_is_buyer"),
        )
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        qs.select_related("buyer", "store", "product", "order")
        .annotate(
            read_seq=Coalesce(Subquery(read_seq), Value(0), output_field=IntegerField()),
            reader_is_buyer=Case(
                When(buyer=user, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .annotate(unread=Coalesce(Subquery(unread), Value(0), output_field=IntegerField()))
        .order_by("-last_message_at", "-id")
    )


def conversations_for(user: User) -> QuerySet[Conversation]:
    """The reader's dialogs with at least one message, newest first, each with ``unread``:
    messages from the other side after the reader's read marker.

    Every row carries correlated subqueries: fine for a filtered few, too slow to page
    through thousands (``dialogs_for`` does that)."""
    if not user.is_authenticated:
        return Conversation.objects.none()
    return _with_unread(
        user,
        Conversation.objects.filter(
            Q(buyer=user) | Q(store_id__in=store_ids_for_member(user)),
            last_message_at__isnull=False,
        ),
    )


class DialogList:
    """The reader's dialogs as ``conversations_for`` lists them, for a Paginator or an offset.

    A slice reads the newest keys of each side (as buyer; as member of each store) from the
    indexes ``conversation_buyer_recent`` and ``conversation_store_recent``, merges them and
    only then loads the page's rows and counts their unread: the cost follows the page, not
    the thousands of dialogs a big store holds. The OR of both sides would sort them all.
    """

    def __init__(self, user: User) -> None:
        self.user = user
        self.store_ids = store_ids_for_member(user) if user.is_authenticated else []
        self._count: int | None = None

    def count(self) -> int:
        """Dialogs on either side; a dialog where the reader is both counts once."""
        if self._count is None:
            self._count = _dialog_count(self.user, self.store_ids)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice | int) -> list[Conversation] | Conversation:
        if isinstance(index, int):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        if index.step is not None or (index.start or 0) < 0 or (index.stop or 0) < 0:
            raise ValueError("Only forward slices of dialogs are supported.")
        start = index.start or 0
        if index.stop is None:
            raise ValueError("A slice of dialogs needs an end.")
        if index.stop <= start:
            return []
        ids = self._page_ids(start, index.stop)
        if not ids:
            return []
        rows = Conversation.objects.filter(pk__in=ids).select_related(
            "buyer", "store", "product", "order"
        )
        found = {c.pk: c for c in rows}
        _annotate_unread(self.user, list(found.values()))
        return [found[pk] for pk in ids if pk in found]

    def summaries(self, start: int, stop: int) -> list[Conversation]:
        """The dialogs ``[start:stop]`` as the API lists them: only the columns of its
        summary, in one statement (through the ORM, building the query and twenty rows of
        five models took longer than the rest of the page). Any other field is read on first
        use, as with ``only()``."""
        ids = self._page_ids(start, stop)
        if not ids:
            return []
        read = readers(Conversation, ["last_message_at"])[0]
        found = {}
        for row in fetch(_SUMMARIES.format(ids=", ".join(["%s"] * len(ids))), ids):
            (pk, buyer_id, store_id, product_id, order_id, last_seq, moment, username, first,
             last, display, slug, name, title, number) = row  # fmt: skip
            conversation = _loaded(Conversation, id=pk, buyer_id=buyer_id, store_id=store_id,
                                   product_id=product_id, order_id=order_id, last_seq=last_seq,
                                   last_message_at=read(moment))  # fmt: skip
            cache = conversation._state.fields_cache
            cache["buyer"] = _sender(buyer_id, (username, first, last, display))
            cache["store"] = _loaded(Store, id=store_id, slug=slug, name=name)
            cache["product"] = _loaded(Product, id=product_id, title=title) if product_id else None
            cache["order"] = _loaded(Order, id=order_id, number=number) if order_id else None
            found[conversation.pk] = conversation
        _annotate_unread(self.user, list(found.values()))
        return [found[pk] for pk in ids if pk in found]

    def unread_total(self) -> int:
        """``unread_total_for`` the reader, with the stores already read."""
        return _sides_unread(self.user, store_ids=self.store_ids)

    def _page_ids(self, start: int, stop: int) -> list[int]:
        """The ids of the dialogs ``[start:stop]``: the newest ``stop`` keys of each side,
        merged. Each side is a walk back along its index, written as SQL for the same
        reason as the rest of this list."""
        if not self.user.is_authenticated or stop <= start:
            return []
        read = readers(Conversation, ["last_message_at"])[0]
        keys: dict[int, tuple] = {}
        sides = [("buyer_id", self.user.pk)] + [("store_id", pk) for pk in self.store_ids]
        for column, value in sides:
            for moment, pk in fetch(_SIDE_KEYS.format(column=column), [value, stop]):
                keys[pk] = (read(moment), pk)
        return [pk for _, pk in sorted(keys.values(), reverse=True)[start:stop]]


def _loaded[T: Model](model: type[T], **values: Any) -> T:
    """A model object holding only these fields (``from_db`` takes them in the model's
    order); any other is read on first use."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(model._default_manager.db, names, [values[name] for name in names])


_SIDE_KEYS = f"""
    SELECT last_message_at, id FROM {Conversation._meta.db_table}
    WHERE {{column}} = %s AND last_message_at IS NOT NULL
    ORDER BY last_message_at DESC, id DESC LIMIT %s
"""  # noqa: S608 (table and column names only)
_SUMMARIES = f"""
    SELECT c.id, c.buyer_id, c.store_id, c.product_id, c.order_id, c.last_seq,
           c.last_message_at, u.username, u.first_name, u.last_name, u.display_name,
           s.slug, s.name, p.title, o.number
    FROM {Conversation._meta.db_table} c
    JOIN {User._meta.db_table} u ON u.id = c.buyer_id
    JOIN {Store._meta.db_table} s ON s.id = c.store_id
    LEFT JOIN {Product._meta.db_table} p ON p.id = c.product_id
    LEFT JOIN {Order._meta.db_table} o ON o.id = c.order_id
    WHERE c.id IN ({{ids}})
"""  # noqa: S608 (table names only)


_DIALOG_COUNT = """
    SELECT (SELECT COUNT(*) FROM {conversation}
            WHERE buyer_id = %s AND last_message_at IS NOT NULL){stores}
"""
_STORE_DIALOG_COUNT = """
         + (SELECT COUNT(*) FROM {conversation}
            WHERE store_id IN ({marks}) AND last_message_at IS NOT NULL)
         - (SELECT COUNT(*) FROM {conversation}
            WHERE buyer_id = %s AND store_id IN ({marks}) AND last_message_at IS NOT NULL)"""


def _dialog_count(user: User, store_ids: list[int]) -> int:
    """The reader's dialogs as buyer, plus their stores' dialogs, less those counted twice.
    One statement; each part is a count along an index (the buyer's, or the store's on
    last_message_at). Written as SQL because the ORM's two queries cost more to build
    than to run."""
    if not user.is_authenticated:
        return 0
    table = Conversation._meta.db_table
    stores, params = "", [user.pk]
    if store_ids:
        marks = ", ".join(["%s"] * len(store_ids))
        stores = _STORE_DIALOG_COUNT.format(conversation=table, marks=marks)
        params += [*store_ids, user.pk, *store_ids]
    with connection.cursor() as cursor:
        cursor.execute(_DIALOG_COUNT.format(conversation=table, stores=stores), params)
        return int(cursor.fetchone()[0])


_PAGE_UNREAD = """
    SELECT c.id, COALESCE(r.last_read_seq, 0), (
        SELECT COUNT(*) FROM {message} m
        WHERE m.conversation_id = c.id
          AND m.seq > COALESCE(r.last_read_seq, 0)
          AND m.from_store = (c.buyer_id = %s)
    )
    FROM {conversation} c
    LEFT JOIN {marker} r ON r.conversation_id = c.id AND r.user_id = %s
    WHERE c.id IN ({ids})
"""


def _annotate_unread(user: User, conversations: list[Conversation]) -> None:
    """Set ``read_seq``, ``reader_is_buyer`` and ``unread`` on a page of dialogs, as
    ``conversations_for`` annotates them, in one statement (the ORM spent longer building
    the annotated query than the database spent running it)."""
    if not conversations:
        return
    sql = _PAGE_UNREAD.format(
        message=Message._meta.db_table,
        conversation=Conversation._meta.db_table,
        marker=ReadMarker._meta.db_table,
        ids=", ".join(["%s"] * len(conversations)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, *(c.pk for c in conversations)])
        counts = {pk: (read_seq, unread) for pk, read_seq, unread in cursor.fetchall()}
    for conversation in conversations:
        conversation.read_seq, conversation.unread = counts[conversation.pk]
        conversation.reader_is_buyer = conversation.buyer_id == user.pk


def dialogs_for(user: User) -> DialogList:
    """The Message Center's list of the reader's dialogs, paged cheaply at any size."""
    return DialogList(user)


_UNREAD_SIDE = """
    SELECT COALESCE(SUM((
        SELECT COUNT(*) FROM {message} m
        WHERE m.conversation_id = c.id
          AND m.seq > COALESCE(r.last_read_seq, 0)
          AND m.from_store = %s
    )), 0)
    FROM {conversation} c
    LEFT JOIN {marker} r ON r.conversation_id = c.id AND r.user_id = %s
    WHERE {where} AND c.last_seq > COALESCE(r.last_read_seq, 0)
"""


def _sides_unread(
    user: User, store: Store | None = None, store_ids: list[int] | None = None
) -> int:
    """Unread over the reader's dialogs (or one store's): their dialogs as buyer and, for a
    store member, the store's other dialogs (a member who is also the buyer reads a dialog
    as its buyer, as conversations_for has it).

    One statement, joined to the read markers so that dialogs read to the end are passed
    over without touching their messages; only the others count theirs. For a store of
    10,000 dialogs that is a walk along the index on (store, last_seq, buyer) and the one
    on (conversation, user, last_read_seq). No filter on last_message_at: a dialog without
    messages has none unread. Written as SQL because building the same statement through
    the ORM cost as much as running it; the store ids go in as values so that the planner
    sees how many dialogs a store holds."""
    if not user.is_authenticated:
        return 0
    if store_ids is None:
        store_ids = store_ids_for_member(user)
    mine, params = "c.buyer_id = %s", [True, user.pk, user.pk]
    if store is not None:
        store_ids = [pk for pk in store_ids if pk == store.pk]
        mine += " AND c.store_id = %s"
        params.append(store.pk)
    sides = [_side_sql(mine)]
    if store_ids:
        marks = ", ".join(["%s"] * len(store_ids))
        sides.append(_side_sql(f"c.store_id IN ({marks}) AND c.buyer_id <> %s"))
        params += [False, user.pk, *store_ids, user.pk]
    sql = "SELECT " + " + ".join(f"({side})" for side in sides)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _side_sql(where: str) -> str:
    return _UNREAD_SIDE.format(
        message=Message._meta.db_table,
        conversation=Conversation._meta.db_table,
        marker=ReadMarker._meta.db_table,
        where=where,
    )


def unread_total_for(user: User) -> int:
    """The number in the header badge: unread messages over all the reader's dialogs."""
    return _sides_unread(user)


def store_unread_for(user: User, store: Store) -> int:
    """Unread messages from buyers in one store's dialogs, as this member has read them."""
    return _sides_unread(user, store)


CONVERSATION_RELATED = ("buyer", "store", "product", "order")
_CONVERSATION_BY_ID = "SELECT * FROM {table} WHERE id = %s"


def get_conversation_for(
    user: User, conversation_id: int, *, related: tuple[str, ...] = CONVERSATION_RELATED
) -> Conversation:
    """A conversation the user takes part in; any other is reported as missing.

    ``related`` names what to load with it. A history read needs none of it, and each join
    costs the ORM more time to build and fill than the database spends on it; without any,
    the row is read by raw SQL, which saves building the query too. A reader who is the
    buyer is set as the conversation's buyer, so that it is not loaded again."""
    if related:
        conversation = (
            Conversation.objects.select_related(*related).filter(pk=conversation_id).first()
        )
    else:
        sql = _CONVERSATION_BY_ID.format(table=Conversation._meta.db_table)
        conversation = next(iter(Conversation.objects.raw(sql, [conversation_id])), None)
    if conversation is None or not is_participant(user, conversation):
        raise NotFound()
    if conversation.buyer_id == user.pk and not Conversation.buyer.is_cached(conversation):
        conversation.buyer = user
    return conversation


def conversation_between(buyer: User, store: Store) -> Conversation | None:
    if not buyer.is_authenticated:
        return None
    return Conversation.objects.filter(buyer=buyer, store=store).first()


def last_read_seq(user: User, conversation: Conversation) -> int:
    marker = ReadMarker.objects.filter(conversation=conversation, user=user).first()
    return marker.last_read_seq if marker else 0


@dataclass(frozen=True)
class MessageWindow[M: (Message, "MessageRow")]:
    messages: list[M]
    has_before: bool
    has_after: bool


@dataclass(slots=True)
class MessageRow:
    """A message of a history window as the API sends it, without a model object: building
    fifty of those, with every column converted, was a third of a history read. It answers
    to the attributes ``message_payload`` reads."""

    id: int
    conversation_id: int
    seq: int
    sender_id: int
    from_store: bool
    body: str
    context: dict
    client_id: str | None
    created_at: datetime
    sender: User
    photos: list[Attachment]


_WINDOW = """
    SELECT {columns},
           EXISTS (SELECT 1 FROM {link} p WHERE p.message_id = m.id) AS has_photos
    FROM {message} m JOIN {user} u ON u.id = m.sender_id
    WHERE m.conversation_id = %s AND m.seq > %s AND m.seq < %s
    ORDER BY m.seq {direction}
    LIMIT %s
"""
SENDER_FIELDS = ("id", "username", "first_name", "last_name", "display_name")
# A model window reads every column; a row window only those of the payload.
_MODEL_COLUMNS = "m.*, " + ", ".join(f"u.{name} AS sender_{name}" for name in SENDER_FIELDS[1:])
ROW_FIELDS = ("id", "seq", "sender_id", "from_store", "body", "context", "client_id", "created_at")
_ROW_COLUMNS = ", ".join(
    [f"m.{name}" for name in ROW_FIELDS] + [f"u.{name}" for name in SENDER_FIELDS[1:]]
)


def _window_sql(columns: str, *, newest: bool) -> str:
    """The statement of a window: messages of a conversation with ``above < seq < below``,
    the oldest ``limit`` of them or the newest, with each sender's name and whether it has
    photos. One statement (through the ORM, building the queries took longer than running
    them); the unique index on (conversation, seq) serves the range and the order."""
    return _WINDOW.format(
        columns=columns,
        message=Message._meta.db_table,
        user=User._meta.db_table,
        link=MessageAttachment._meta.db_table,
        direction="DESC" if newest else "ASC",
    )


def _window(
    conversation: Conversation, above: int, below: int, limit: int, *, newest: bool
) -> list[Message]:
    sql = _window_sql(_MODEL_COLUMNS, newest=newest)
    return list(Message.objects.raw(sql, [conversation.pk, above, below, limit]))


def _row_window(
    conversation: Conversation, above: int, below: int, limit: int, *, newest: bool
) -> list[MessageRow]:
    """The window as rows: only the payload's columns, converted as the ORM would convert
    them (SQLite hands back a time as text and a flag as 0 or 1), each sender built once."""
    sql = _window_sql(_ROW_COLUMNS, newest=newest)
    rows = fetch(sql, [conversation.pk, above, below, limit])
    read = readers(Message, ROW_FIELDS)
    senders = _known_senders([conversation])
    found: list[MessageRow] = []
    with_photos: list[MessageRow] = []
    width = len(ROW_FIELDS)
    for row in rows:
        pk, seq, sender_id, from_store, body, context, client_id, created_at = (
            convert(value) for convert, value in zip(read, row[:width], strict=True)
        )
        if sender_id not in senders:
            senders[sender_id] = _sender(sender_id, row[width:-1])
        message = MessageRow(
            pk,
            conversation.pk,
            seq,
            sender_id,
            from_store,
            body,
            context,
            client_id,
            created_at,
            senders[sender_id],
            [],
        )
        found.append(message)
        if row[-1]:
            with_photos.append(message)
    if with_photos:
        links = _photo_links([m.id for m in with_photos])
        for message in with_photos:
            message.photos = [link.attachment for link in links.get(message.id, [])]
    return found


def _history[M: (Message, MessageRow)](
    conversation: Conversation,
    window: Callable[..., list[M]],
    after: int | None,
    before: int | None,
    limit: int,
) -> MessageWindow[M]:
    """A window of the history by ``seq``, in order, and whether there is more either side."""
    if after is not None:
        rows = window(conversation, after, SEQ_END, limit + 1, newest=False)
        more = len(rows) > limit
        has_before = (
            after > 0 and Message.objects.filter(conversation=conversation, seq__lte=after).exists()
        )
        return MessageWindow(rows[:limit], has_before, more)
    rows = window(conversation, 0, SEQ_END if before is None else before, limit + 1, newest=True)
    more = len(rows) > limit
    has_after = before is not None and conversation.last_seq >= before
    return MessageWindow(list(reversed(rows[:limit])), more, has_after)


def messages_in(
    conversation: Conversation,
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> MessageWindow[Message]:
    """A window of the history by ``seq``: after a number, before one, or the latest, as
    model objects with their senders and photos (for the pages' templates).

    The caller has already checked that the reader takes part in the conversation.
    """
    window = _history(conversation, _window, after, before, limit)
    _with_senders_and_photos(window.messages, [conversation])
    return window


def message_rows_in(
    conversation: Conversation,
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> MessageWindow[MessageRow]:
    """The same window as ``messages_in``, as rows for ``message_payload`` (the API)."""
    return _history(conversation, _row_window, after, before, limit)


# Above any seq (a PositiveIntegerField), so that "before" may be left open.
SEQ_END = 2**63 - 1


def _known_senders(conversations: list[Conversation]) -> dict[int, User]:
    return {c.buyer_id: c.buyer for c in conversations if Conversation.buyer.is_cached(c)}


def _sender(pk: int, names: Sequence[Any]) -> User:
    """A sender (or buyer) from the name columns a statement read, ``SENDER_FIELDS`` after
    the id; any other field is loaded on first use, as with only()."""
    return _loaded(User, **dict(zip(SENDER_FIELDS, [pk, *names], strict=True)))


def _photo_links(message_ids: list[int]) -> dict[int, list[MessageAttachment]]:
    """The photos of these messages, in one query ordered by their own columns (the default
    ordering would join messages and conversations to sort)."""
    links = (
        MessageAttachment.objects.filter(message_id__in=message_ids)
        .select_related("attachment")
        .order_by("message_id", "position")
    )
    photos: dict[int, list[MessageAttachment]] = {}
    for link in links:
        photos.setdefault(link.message_id, []).append(link)
    return photos


def _with_senders_and_photos(
    rows: list[Message], conversations: list[Conversation]
) -> list[Message]:
    """Attach each message's sender and photos, as select_related and prefetch_related
    would, at a fraction of their cost for a window of 50. A window has only a few
    distinct senders (the buyer, a store member or two), so each is loaded once instead of
    joined to every row, and not at all when it is a conversation's buyer already loaded or
    the row brought the sender's name (``_window``); the photos are read only for the
    messages that have any when the rows say so, and most messages share one empty result."""
    if not rows:
        return rows
    senders = _known_senders(conversations)
    for message in rows:
        if message.sender_id not in senders and hasattr(message, "sender_username"):
            names = [getattr(message, f"sender_{name}") for name in SENDER_FIELDS[1:]]
            senders[message.sender_id] = _sender(message.sender_id, names)
    missing = {m.sender_id for m in rows} - senders.keys()
    if missing:
        senders.update(User.objects.in_bulk(missing))
    with_photos = [m.pk for m in rows if getattr(m, "has_photos", True)]
    photos = _photo_links(with_photos) if with_photos else {}
    none = _prefetched([])
    for message in rows:
        message.sender = senders[message.sender_id]
        found = photos.get(message.pk)
        # What prefetch_related leaves behind: message.photos.all() answers from it.
        message._prefetched_objects_cache = {"photos": _prefetched(found) if found else none}
    return rows


def _prefetched(links: list[MessageAttachment]) -> QuerySet[MessageAttachment]:
    qs = MessageAttachment.objects.all()
    qs._result_cache = links
    qs._prefetch_done = True
    return qs


def message_by_client_id(
    conversation: Conversation, sender: User, client_id: str
) -> Message | None:
    return Message.objects.filter(
        conversation=conversation, sender=sender, client_id=client_id
    ).first()


def can_read_attachment(user: User, attachment: Attachment) -> bool:
    """Its uploader, and the participants of the conversation it was sent into."""
    if not user.is_authenticated:
        return False
    if attachment.owner_id == user.pk:
        return True
    link = getattr(attachment, "message_link", None)
    return link is not None and is_participant(user, link.message.conversation)


@dataclass(frozen=True)
class ReplyStats:
    """How fast a store answers the first message of a conversation, from the data."""

    sample: int
    median: timedelta | None
    share_within_promise: float | None
    mostly_unanswered: bool

    @property
    def enough(self) -> bool:
        return self.sample >= settings.REPLY_STATS_MIN_CONVERSATIONS

    @property
    def median_hours(self) -> int | None:
        if self.median is None:
            return None
        return max(1, -(-int(self.median.total_seconds()) // 3600))

    def summary(self) -> str:
        if not self.enough:
            return _("Not enough conversations yet to tell how fast this store replies.")
        if self.mostly_unanswered:
            return _("This store has answered fewer than half of the recent conversations.")
        hours = self.median_hours or 1
        return ngettext(
            "Usually replies within %(hours)s hour",
            "Usually replies within %(hours)s hours",
            hours,
        ) % {"hours": hours}

    def share_text(self) -> str:
        if not self.enough or self.share_within_promise is None:
            return ""
        return _("%(percent)s%% of conversations answered within %(hours)s hours") % {
            "percent": round(self.share_within_promise * 100),
            "hours": settings.REPLY_PROMISE_HOURS,
        }


def store_reply_stats(store: Store, *, at: datetime | None = None) -> ReplyStats:
    """Median time to the first reply and the share answered within the promise, over the
    store's recent conversations. A question still unanswered after the promise counts as
    slower than any answer; a younger one is not judged yet."""
    moment = at or now()
    rows = (
        Conversation.objects.filter(
            store=store,
            first_buyer_message_at__gte=moment - rules.reply_stats_window(),
            first_buyer_message_at__lte=moment,
        )
        .order_by("-first_buyer_message_at")
        .values_list("first_buyer_message_at", "first_reply_at")[
            : settings.REPLY_STATS_MAX_CONVERSATIONS
        ]
    )
    promise = rules.reply_promise()
    delays: list[timedelta | None] = []
    for asked, replied in rows:
        if replied is not None and replied <= moment:
            delays.append(replied - asked)
        elif moment - asked >= promise:
            delays.append(None)
    answered = sorted(d for d in delays if d is not None)
    count = len(delays)
    if count == 0:
        return ReplyStats(0, None, None, mostly_unanswered=False)
    # Unanswered ones sort after every answer; the median is the middle of that order.
    middle = (count - 1) // 2
    mostly_unanswered = middle >= len(answered)
    median = None
    if not mostly_unanswered:
        upper = answered[count // 2] if count // 2 < len(answered) else answered[middle]
        median = (answered[middle] + upper) / 2
    fast = sum(1 for d in answered if d <= promise)
    return ReplyStats(count, median, fast / count, mostly_unanswered)


def last_messages(conversations: list[Conversation]) -> dict[int, Message]:
    """The latest message of each listed conversation, in one query, for previews."""
    wanted = Q(pk__in=[])
    for conversation in conversations:
        wanted |= Q(conversation_id=conversation.pk, seq=conversation.last_seq)
    rows = _with_senders_and_photos(list(Message.objects.filter(wanted)), conversations)
    return {message.conversation_id: message for message in rows}


def unread_in(user: User, conversation: Conversation) -> int:
    reader_is_buyer = conversation.buyer_id == user.pk
    return Message.objects.filter(
        conversation=conversation,
        seq__gt=last_read_seq(user, conversation),
        from_store=reader_is_buyer,
    ).count()
