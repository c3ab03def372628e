"""Writes of messaging: open a conversation, send a message, mark read.

Every function validates, runs in one transaction and publishes to the conversation's group
only after commit (see ``payloads`` for the event shapes). Live chat builds on these.
"""

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.accounts.services import api_token_users
from parley.attachments.models import Attachment
from parley.attachments.services import attachments_check_count
from parley.core import sql
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, NotFound, ParleyError
from parley.core.realtime import Event, publish_all_on_commit
from parley.marketplace.models import Order, Product, Store, StoreMembership
from parley.marketplace.selectors import is_store_member
from parley.notifications.services import (
    Bell,
    Notice,
    notifications_mark_group_read,
    notify_many,
)

from . import rules
from .models import Conversation, Message, MessageAttachment, ReadMarker
from .payloads import both_sides, message_payload
from .selectors import is_participant
from .tasks import reply_reminders_schedule

CLIENT_ID = re.compile(r"^[\x21-\x7e]{1,64}$")


def conversation_open(
    *,
    actor: User,
    store: Store,
    product: Product | None = None,
    order: Order | None = None,
    buyer: User | None = None,
) -> Conversation:
    """Find or start the one conversation between a buyer and a store.

    A buyer opens it with a store (optionally about a product or an order). A store member
    may name a ``buyer``, but only one who has contacted the store or ordered from it — the
    marketplace's anti-spam rule. Opening writes no message.
    """
    member = is_store_member(actor, store)
    if buyer is None:
        if member:
            raise Invalid(_("You cannot write to your own store."))
        buyer = actor
    elif not member:
        raise NotFound()
    elif not (
        Conversation.objects.filter(buyer=buyer, store=store).exists()
        or Order.objects.filter(buyer=buyer, store=store).exists()
    ):
        raise buyer_not_reachable()
    _check_context(store_id=store.pk, buyer_id=buyer.pk, product=product, order=order)
    with transaction.atomic():
        conversation = Conversation.objects.filter(buyer=buyer, store=store).first()
        if conversation is None:
            try:
                with transaction.atomic():
                    conversation = Conversation.objects.create(
                        buyer=buyer, store=store, created_at=now()
                    )
            except IntegrityError:  # opened at the same moment by another request
                conversation = Conversation.objects.get(buyer=buyer, store=store)
        if product is not None or order is not None:
            conversation.product = product
            conversation.order = order
            Conversation.objects.filter(pk=conversation.pk).update(product=product, order=order)
    return conversation


def buyer_not_reachable() -> ParleyError:
    """The anti-spam refusal; also given for a buyer who does not exist, so that sellers
    cannot probe which accounts exist."""
    return ParleyError(
        ErrorCode.PERMISSION_DENIED,
        _("You can write to a buyer only after they have contacted your store or ordered from it."),
    )


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """A sender known so far by an API token, looked up in the batch that writes the message,
    with the other senders' tokens: a trip of their own to the database thread for the
    tokens cost the API's send 5-10 % of its server time per message in the benchmark."""

    token: str


@dataclass(frozen=True, slots=True)
class Draft:
    """One message to send; ``message_send`` explains each field. ``messages_send`` also takes
    the actor as a ``TokenHolder``."""

    actor: User | TokenHolder
    conversation_id: int
    body: str
    attachments: Sequence[Attachment] = ()
    client_id: str | None = None
    product: Product | None = None
    order: Order | None = None
    sent_at: datetime | None = None


# A draft's outcome: the message and whether it was created now, or why it was refused (a
# ``ParleyError``; a database error only when the database refused that draft alone).
Outcome = tuple[Message, bool] | ParleyError | DatabaseError


# A conversation number in a page's URL, replaced by each message's own: reversing the URL
# for every message of a batch cost more than writing its notification.
PAGE_MARKER = 2**31 - 1


@functools.lru_cache(maxsize=32)
def _page_with_marker(language: str | None, prefix: str) -> str:
    """The conversation page's URL with ``PAGE_MARKER`` for its number, reversed once per
    language and script prefix: reversing took longer than the rest of a one-message batch."""
    return reverse("messaging:conversation", args=[PAGE_MARKER])


# What sending moves on the conversation row, copied back to a caller's instance.
CONVERSATION_MOVES = (
    "last_seq", "last_message_at", "first_buyer_message_at", "first_reply_at", "product_id",
    "order_id",
)  # fmt: skip


def message_send(
    *,
    actor: User,
    conversation: Conversation | int,
    body: str,
    attachments: Sequence[Attachment] = (),
    client_id: str | None = None,
    product: Product | None = None,
    order: Order | None = None,
    sent_at: datetime | None = None,
) -> tuple[Message, bool]:
    """Append a message; return it and whether it was created now.

    ``conversation`` may be given by id (the chat socket knows no more): it is read once,
    under the lock, and a conversation the actor does not take part in does not exist.
    ``client_id`` makes sending safe to retry: the same key from the same sender in the same
    conversation returns the message already stored (created is False); the same key with a
    different text or different photos is refused. ``seq`` is taken under a lock on the
    conversation row (on SQLite the whole write transaction is serialised), so it has no gaps
    and no duplicates. ``sent_at`` imports history written elsewhere (the demo, a host
    marketplace): it may not be in the future nor before the conversation's last message.
    """
    conversation_id = conversation if isinstance(conversation, int) else conversation.pk
    draft = Draft(actor, conversation_id, body, attachments, client_id, product, order, sent_at)
    [outcome] = messages_send([draft])
    if isinstance(outcome, Exception):
        raise outcome
    if isinstance(conversation, Conversation):
        for field in CONVERSATION_MOVES:
            setattr(conversation, field, getattr(outcome[0].conversation, field))
    return outcome


def messages_send(drafts: Sequence[Draft]) -> list[Outcome]:
    """Send several messages in one transaction: what the chat sockets of a process sent while
    the previous batch was being written (see ``sending``).

    Each draft is checked on its own, by the rules of ``message_send``, and gets its own
    outcome; a refused draft changes nothing for the others. The writes are a few statements
    per batch rather than per message, which is what lets one process keep up with a busy
    marketplace. Should the database refuse the batch as a whole, each draft is tried alone,
    so that only the one at fault fails. A draft whose token nobody holds is refused.
    """
    known = _with_token_holders(drafts)
    outcomes = iter(_send_together([draft for draft in known if draft is not None]))
    return [
        next(outcomes) if draft is not None else ParleyError(ErrorCode.AUTH_FAILED)
        for draft in known
    ]


def _with_token_holders(drafts: Sequence[Draft]) -> list[Draft | None]:
    """The drafts with each ``TokenHolder`` replaced by the token's active user (None for the
    draft when there is none), all tokens in one statement."""
    tokens = [draft.actor.token for draft in drafts if isinstance(draft.actor, TokenHolder)]
    if not tokens:
        return list(drafts)
    users = iter(api_token_users(tokens))
    known: list[Draft | None] = []
    for draft in drafts:
        if isinstance(draft.actor, TokenHolder):
            user = next(users)
            known.append(dataclasses.replace(draft, actor=user) if user is not None else None)
        else:
            known.append(draft)
    return known


def _send_together(drafts: Sequence[Draft]) -> list[Outcome]:
    if not drafts:
        return []
    try:
        with transaction.atomic():
            batch = _Batch(drafts)
            outcomes: list[Outcome] = []
            for draft in drafts:
                try:
                    outcomes.append(batch.admit(draft))
                except ParleyError as refusal:
                    outcomes.append(refusal)
            batch.write()
            return outcomes
    except DatabaseError as error:
        if len(drafts) == 1:
            return [error]
    return [outcome for draft in drafts for outcome in _send_together([draft])]


# Every conversation of a batch now ends at its newest message: one statement for all of them,
# in SQL because the ORM's correlated subqueries took longer to build than to run.
_MOVE_TO_NEWEST = f"""
    UPDATE {Conversation._meta.db_table} SET (last_seq, last_message_at) = (
        SELECT m.seq, m.created_at FROM {Message._meta.db_table} m
        WHERE m.conversation_id = {Conversation._meta.db_table}.id ORDER BY m.seq DESC LIMIT 1
    )
    WHERE id IN ({{ids}})
"""  # noqa: S608 (table names only)


# The batch's conversations with their store's name, locked in the same order by every batch
# (on SQLite the write transaction itself is the lock).
_CONVERSATION_FIELDS = [field.attname for field in Conversation._meta.concrete_fields]
_LOCK_CONVERSATIONS = f"""
    SELECT {", ".join(f"c.{f.column}" for f in Conversation._meta.concrete_fields)}, s.name
    FROM {Conversation._meta.db_table} c JOIN {Store._meta.db_table} s ON s.id = c.store_id
    WHERE c.id IN ({{ids}}) ORDER BY c.id{{lock}}
"""  # noqa: S608 (table names only)

# The sender has read up to their own message, which is the conversation's newest.
_MARK_OWN_READ = f"""
    INSERT INTO {ReadMarker._meta.db_table} (conversation_id, user_id, last_read_seq)
    VALUES {{rows}}
    ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_read_seq = excluded.last_read_seq
"""  # noqa: S608 (table names only)


def _conversations_with_store_name(rows: list[tuple]) -> dict[int, Conversation]:
    """Conversations from rows of their columns and their store's name, converted as the ORM
    would; a raw queryset spent more time mapping a burst's rows than reading them."""
    read = sql.readers(Conversation, _CONVERSATION_FIELDS)
    width = len(_CONVERSATION_FIELDS)
    found = {}
    for row in rows:
        values = [convert(value) for convert, value in zip(read, row[:width], strict=True)]
        conversation = Conversation.from_db(connection.alias, _CONVERSATION_FIELDS, values)
        conversation.store_name = row[width]
        found[conversation.pk] = conversation
    return found


class _Batch:
    """The conversations of a batch, locked, as its messages move them along."""

    def __init__(self, drafts: Sequence[Draft]) -> None:
        ids = sorted({draft.conversation_id for draft in drafts})
        lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
        query = _LOCK_CONVERSATIONS.format(ids=sql.placeholders(len(ids)), lock=lock)
        self.conversations = _conversations_with_store_name(sql.fetch(query, ids))
        self.members = self._memberships(drafts)
        self.last_from_store: dict[int, bool] = {}
        # (conversation, sender, client_id) → the message sent with it and its photos' checksums
        self.keys: dict[tuple[int, int, str], tuple[Message, list[str] | None]] = {}
        self._read_earlier(drafts)
        self.messages: list[Message] = []
        self.photos: list[MessageAttachment] = []
        self.photos_sent: set[int] = set()
        self.payloads: list[dict] = []
        # first message, first reply, a new product or order: seldom, one statement each
        self.rare_changes: dict[int, dict[str, Any]] = {}
        self.markers: dict[tuple[int, int], int] = {}
        self.waiting: list[Message] = []
        self.notices: list[Notice] = []
        self.noticed: list[int] = []  # the index in ``messages`` of each notice's message
        self.page = _page_with_marker(get_language(), get_script_prefix())

    def _memberships(self, drafts: Sequence[Draft]) -> set[tuple[int, int]]:
        """(user, store) pairs the batch needs, in one query: whether a sender who is not the
        buyer works for the store, and who works for a store a buyer writes to."""
        senders, stores = set(), set()
        for draft in drafts:
            conversation = self.conversations.get(draft.conversation_id)
            if conversation is None:
                continue
            if draft.actor.pk == conversation.buyer_id:
                stores.add(conversation.store_id)
            else:
                senders.add(draft.actor.pk)
        terms, params = [], []
        for column, ids in (("user_id", senders), ("store_id", stores)):
            if ids:
                terms.append(f"{column} IN ({sql.placeholders(len(ids))})")
                params += sorted(ids)
        if not terms:
            return set()
        table = StoreMembership._meta.db_table
        query = f"SELECT user_id, store_id FROM {table} WHERE {' OR '.join(terms)}"  # noqa: S608
        return set(sql.fetch(query, params))

    def _read_earlier(self, drafts: Sequence[Draft]) -> None:
        """In one query: each conversation's last message (does a buyer's message now start a
        wait for the store?) and any message already sent with a draft's idempotency key.

        Written out in SQL: each term is one lookup in a unique index, and building this many
        terms through the ORM took longer than running them."""
        terms, params = [], []
        for conversation in self.conversations.values():
            if conversation.last_seq:
                terms.append("(conversation_id = %s AND seq = %s)")
                params += [conversation.pk, conversation.last_seq]
        keys = {
            (draft.conversation_id, draft.actor.pk, draft.client_id)
            for draft in drafts
            if draft.client_id is not None and draft.conversation_id in self.conversations
        }
        for key in keys:
            terms.append("(conversation_id = %s AND sender_id = %s AND client_id = %s)")
            params += key
        if not terms:
            return
        # Only the fixed terms above go into the text; every value is a parameter.
        found = sql.fetch(
            "SELECT id, conversation_id, seq, sender_id, client_id, from_store"  # noqa: S608
            f" FROM {Message._meta.db_table} WHERE {' OR '.join(terms)}",
            params,
        )
        retried = []
        for pk, conversation_id, seq, sender_id, client_id, from_store in found:
            if seq == self.conversations[conversation_id].last_seq:
                self.last_from_store[conversation_id] = bool(from_store)
            if (conversation_id, sender_id, client_id) in keys:
                retried.append(pk)
        if not retried:
            return
        for message in Message.objects.filter(pk__in=retried).select_related("sender"):
            key = (message.conversation_id, message.sender_id, message.client_id)
            self.keys[key] = (message, None)  # a resend after a lost ack: rare

    def admit(self, draft: Draft) -> tuple[Message, bool]:
        """Check one draft against the conversation as the batch has left it; queue its writes."""
        conversation = self.conversations.get(draft.conversation_id)
        actor = draft.actor
        if conversation is None or not (
            actor.pk == conversation.buyer_id or (actor.pk, conversation.store_id) in self.members
        ):
            raise NotFound()
        body = (draft.body or "").strip()
        _check_body(body, draft.attachments)
        if draft.client_id is not None and not CLIENT_ID.match(draft.client_id):
            raise Invalid(
                _("The idempotency key must be 1 to 64 visible ASCII characters."),
                field="client_id",
            )
        _check_context(store_id=conversation.store_id, buyer_id=conversation.buyer_id,
                       product=draft.product, order=draft.order)  # fmt: skip
        key = (conversation.pk, actor.pk, draft.client_id)
        if draft.client_id is not None and key in self.keys:
            existing, checksums = self.keys[key]
            _check_same(existing, checksums, body, draft.attachments)
            existing.conversation = conversation
            return existing, False
        self._check_photos(actor, draft.attachments)
        moment = _sending_time(conversation, draft.sent_at)
        from_store = actor.pk != conversation.buyer_id
        starts_waiting = not from_store and self.last_from_store.get(conversation.pk, True)
        message = Message(
            conversation=conversation,
            seq=conversation.last_seq + 1,
            sender=actor,
            from_store=from_store,
            body=body,
            product=draft.product,
            order=draft.order,
            context=_context(draft.product, draft.order),
            client_id=draft.client_id,
            created_at=moment,
        )
        self._move(conversation, message)
        self.messages.append(message)
        self.photos += [
            MessageAttachment(message=message, attachment=attachment, position=i)
            for i, attachment in enumerate(draft.attachments)
        ]
        self.photos_sent.update(attachment.pk for attachment in draft.attachments)
        self.payloads.append(message_payload(message, draft.attachments))
        if draft.client_id is not None:
            self.keys[key] = (message, sorted(a.sha256 for a in draft.attachments))
        self.markers[conversation.pk, actor.pk] = message.seq
        if draft.sent_at is None:
            self.notices.append(self._notice_for_other_side(conversation, message))
            self.noticed.append(len(self.messages) - 1)
        if starts_waiting:
            self.waiting.append(message)
        return message, True

    def _notice_for_other_side(self, conversation: Conversation, message: Message) -> Notice:
        """The buyer hears of the store's messages, every store member of the buyer's;
        imported history (``sent_at`` in the past) is not news."""
        if message.from_store:
            recipients = [conversation.buyer_id]
        else:
            recipients = [user for user, store in self.members if store == conversation.store_id]
        page = self.page.replace(str(PAGE_MARKER), str(conversation.pk))
        sender = conversation.store_name if message.from_store else message.sender.public_name
        return Notice(
            recipients=recipients,
            kind="message_new",
            params={"sender": sender, "text": message.body or "📷"},
            link=f"{page}#m-{message.seq}",
            group=_notification_group(conversation),
        )

    def _move(self, conversation: Conversation, message: Message) -> None:
        """Advance the conversation in memory; ``write`` stores it."""
        moment = message.created_at
        conversation.last_seq, conversation.last_message_at = message.seq, moment
        rare: dict[str, Any] = {}
        if not message.from_store and conversation.first_buyer_message_at is None:
            rare["first_buyer_message_at"] = moment
        if (
            message.from_store
            and conversation.first_buyer_message_at
            and conversation.first_reply_at is None
        ):
            rare["first_reply_at"] = moment
        if message.product_id is not None or message.order_id is not None:
            rare.update(product=message.product, order=message.order)
        for field, value in rare.items():
            setattr(conversation, field, value)
        if rare:
            self.rare_changes.setdefault(conversation.pk, {}).update(rare)
        self.last_from_store[conversation.pk] = message.from_store

    def _check_photos(self, actor: User, attachments: Sequence[Attachment]) -> None:
        if not attachments:
            return
        ids = [a.pk for a in attachments]
        if len(set(ids)) != len(ids):
            raise Invalid(_("The same photo is attached twice."), field="attachments")
        for attachment in attachments:
            if attachment.owner_id != actor.pk:
                raise NotFound()
        if (
            self.photos_sent.intersection(ids)
            or MessageAttachment.objects.filter(attachment_id__in=ids).exists()
        ):
            raise Invalid(_("This photo has already been sent."), field="attachments")

    def write(self) -> None:
        """One statement per table for the whole batch, then the events after commit."""
        if not self.messages:
            return
        sql.insert(self.messages)
        MessageAttachment.objects.bulk_create(self.photos)
        moved = sorted({message.conversation_id for message in self.messages})
        sql.execute(_MOVE_TO_NEWEST.format(ids=sql.placeholders(len(moved))), moved)
        for pk, changes in self.rare_changes.items():
            Conversation.objects.filter(pk=pk).update(**changes)
        markers = [value for (c, u), seq in self.markers.items() for value in (c, u, seq)]
        rows = ", ".join(["(%s, %s, %s)"] * len(self.markers))
        sql.execute(_MARK_OWN_READ.format(rows=rows), markers)
        # Each message's event carries the bells of its notification: one frame to the reader.
        bells: list[list[Bell]] = [[] for _ in self.messages]
        for index, rung in zip(
            self.noticed, notify_many(self.notices, announce=False), strict=True
        ):
            bells[index] = rung
        for message in self.waiting:
            reply_reminders_schedule(message.conversation, message)
        events: list[Event] = []
        for message, payload, rung in zip(self.messages, self.payloads, bells, strict=True):
            payload["id"] = message.pk
            event = {"type": "message.new", "conversation": message.conversation_id,
                     "seq": message.seq, "message": payload}  # fmt: skip
            if rung:
                event["bells"] = [bell.as_event() for bell in rung]
            events += _side_events(message.conversation, event)
        publish_all_on_commit(events)


def conversation_mark_read(*, actor: User, conversation: Conversation, up_to_seq: int) -> int:
    """Move the reader's marker forward (never back, never past the last message)."""
    if not is_participant(actor, conversation):
        raise NotFound()
    if up_to_seq < 0:
        raise Invalid(_("The message number cannot be negative."), field="up_to_seq")
    with transaction.atomic():
        last = Conversation.objects.values_list("last_seq", flat=True).get(pk=conversation.pk)
        seq = _advance_marker(conversation, actor, min(up_to_seq, last))
        if seq >= last:
            notifications_mark_group_read(actor=actor, group=_notification_group(conversation))
        publish_all_on_commit(
            _side_events(
                conversation,
                {
                    "type": "conversation.read",
                    "conversation": conversation.pk,
                    "seq": seq,
                    "user": actor.pk,
                    "from_store": actor.pk != conversation.buyer_id,
                },
            )
        )
    return seq


def _side_events(conversation: Conversation, event: dict) -> list[Event]:
    """Both sides hear of it; the event names the buyer and store so a socket knows its side."""
    event = {**event, "buyer": conversation.buyer_id, "store": conversation.store_id}
    return [(group, event) for group in both_sides(conversation.buyer_id, conversation.store_id)]


def _notification_group(conversation: Conversation) -> str:
    """One e-mail per conversation; reading the conversation reads its notifications."""
    return f"conversation:{conversation.pk}"


def _sending_time(conversation: Conversation, sent_at: datetime | None) -> datetime:
    moment = now()
    if sent_at is None:
        return moment
    if sent_at > moment or (
        conversation.last_message_at is not None and sent_at < conversation.last_message_at
    ):
        raise Invalid(_("A message cannot be dated in the future or before the previous one."))
    return sent_at


def _advance_marker(conversation: Conversation, user: User, seq: int) -> int:
    """One UPDATE in the usual case (the marker exists and moves forward)."""
    mine = ReadMarker.objects.filter(conversation=conversation, user=user)
    if mine.filter(last_read_seq__lt=seq).update(last_read_seq=seq):
        return seq
    marker, _ = ReadMarker.objects.get_or_create(
        conversation=conversation, user=user, defaults={"last_read_seq": seq}
    )
    return max(marker.last_read_seq, seq)


def _check_body(body: str, attachments: Sequence[Attachment]) -> None:
    if not body and not attachments:
        raise Invalid(_("Write a message or attach a photo."), field="body")
    limit = rules.message_max_length()
    if len(body) > limit:
        raise Invalid(
            _("The message is too long: at most %(limit)s characters (now %(length)s).")
            % {"limit": limit, "length": len(body)},
            field="body",
        )
    attachments_check_count(len(attachments))


def _check_same(
    existing: Message, checksums: list[str] | None, body: str, attachments: Sequence[Attachment]
) -> None:
    """A retry must repeat the original: same text and the same photos (by checksum).
    ``checksums`` are the original's when known, else read from the database."""
    if checksums is None:
        checksums = sorted(
            link.attachment.sha256 for link in existing.photos.select_related("attachment")
        )
    if existing.body != body or checksums != sorted(a.sha256 for a in attachments):
        raise ParleyError(
            ErrorCode.CONFLICT,
            _("This idempotency key was already used for a different message."),
        )


def _check_context(
    *, store_id: int, buyer_id: int, product: Product | None, order: Order | None
) -> None:
    if product is not None and order is not None:
        raise Invalid(_("A message is about a product or an order, not both."))
    if product is not None and product.store_id != store_id:
        raise NotFound()
    if order is not None and (order.store_id != store_id or order.buyer_id != buyer_id):
        raise NotFound()


def _context(product: Product | None, order: Order | None) -> dict:
    """A snapshot: the card shows what the product cost when the message was written."""
    if product is not None:
        return {
            "kind": "product",
            "id": product.pk,
            "title": product.title,
            "price": str(product.price),
            "currency": product.currency,
            "url": product.get_absolute_url(),
        }
    if order is not None:
        return {"kind": "order", "number": order.number, "url": order.get_absolute_url()}
    return {}
