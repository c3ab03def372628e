"""Writes of messaging: open a conversation, send a message, mark read.

Every function validates, runs in one transaction and publishes to the conversation's group
only after commit (see ``payloads`` for the event shapes). Live chat builds on these.
"""

import re
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.attachments.services import attachments_check_count
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, NotFound, ParleyError
from parley.core.realtime import publish_on_commit
from parley.marketplace.models import Order, Product, Store, StoreMembership
from parley.marketplace.selectors import is_store_member
from parley.notifications.services import notifications_mark_group_read, notify

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
    _check_context(store=store, buyer_id=buyer.pk, product=product, order=order)
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
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("store")
            .filter(pk=conversation_id)
            .first()
        )
        if locked is None or not is_participant(actor, locked):
            raise NotFound()
        body = (body or "").strip()
        _check_body(body, attachments)
        if client_id is not None and not CLIENT_ID.match(client_id):
            raise Invalid(
                _("The idempotency key must be 1 to 64 visible ASCII characters."),
                field="client_id",
            )
        from_store = actor.pk != locked.buyer_id
        _check_context(store=locked.store, buyer_id=locked.buyer_id, product=product, order=order)
        if client_id is not None:
            existing = Message.objects.filter(
                conversation=locked, sender=actor, client_id=client_id
            ).first()
            if existing is not None:
                _check_same(existing, body, attachments)
                return existing, False
        _check_attachments(actor, attachments)
        moment = _sending_time(locked, sent_at)
        seq = locked.last_seq + 1
        starts_waiting = not from_store and _store_had_last_word(locked)
        message = Message.objects.create(
            conversation=locked,
            seq=seq,
            sender=actor,
            from_store=from_store,
            body=body,
            product=product,
            order=order,
            context=_context(product, order),
            client_id=client_id,
            created_at=moment,
        )
        MessageAttachment.objects.bulk_create(
            MessageAttachment(message=message, attachment=a, position=i)
            for i, a in enumerate(attachments)
        )
        changes: dict = {"last_seq": seq, "last_message_at": moment}
        if not from_store and locked.first_buyer_message_at is None:
            changes["first_buyer_message_at"] = moment
        if from_store and locked.first_buyer_message_at and locked.first_reply_at is None:
            changes["first_reply_at"] = moment
        if product is not None or order is not None:
            changes.update(product=product, order=order)
        Conversation.objects.filter(pk=locked.pk).update(**changes)
        if isinstance(conversation, Conversation):
            for field, value in changes.items():
                setattr(conversation, field, value)
        _advance_marker(locked, actor, seq)
        _publish_on_commit(
            locked,
            {
                "type": "message.new",
                "conversation": locked.pk,
                "seq": seq,
                "message": message_payload(message, attachments),
            },
        )
        if sent_at is None:
            _notify_other_side(locked, message)
        if starts_waiting:
            reply_reminders_schedule(locked, message)
    return message, True


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
        _publish_on_commit(
            conversation,
            {
                "type": "conversation.read",
                "conversation": conversation.pk,
                "seq": seq,
                "user": actor.pk,
                "from_store": actor.pk != conversation.buyer_id,
            },
        )
    return seq


def _publish_on_commit(conversation: Conversation, event: dict) -> None:
    """Both sides hear of it; the event names the buyer and store so a socket knows its side."""
    event = {**event, "buyer": conversation.buyer_id, "store": conversation.store_id}
    for group in both_sides(conversation.buyer_id, conversation.store_id):
        publish_on_commit(group, event)


def _store_had_last_word(conversation: Conversation) -> bool:
    """Whether a buyer's message now would start a wait for the store's answer."""
    if conversation.last_seq == 0:
        return True
    return Message.objects.filter(
        conversation=conversation, seq=conversation.last_seq, from_store=True
    ).exists()


def _notify_other_side(conversation: Conversation, message: Message) -> None:
    """The buyer hears of the store's messages, every store member of the buyer's; imported
    history (``sent_at`` in the past) is not news."""
    if message.from_store:
        recipients = [conversation.buyer_id]
    else:
        recipients = list(
            StoreMembership.objects.filter(store_id=conversation.store_id).values_list(
                "user_id", flat=True
            )
        )
    notify(
        recipients=recipients,
        kind="message_new",
        params={
            "sender": conversation.store.name if message.from_store else message.sender.public_name,
            "text": message.body or "📷",
        },
        link=reverse("messaging:conversation", args=[conversation.pk]) + f"#m-{message.seq}",
        group=_notification_group(conversation),
    )


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


def _check_attachments(actor: User, attachments: Sequence[Attachment]) -> None:
    if not attachments:
        return
    ids = [a.pk for a in attachments]
    if len(set(ids)) != len(ids):
        raise Invalid(_("The same photo is attached twice."), field="attachments")
    for attachment in attachments:
        if attachment.owner_id != actor.pk:
            raise NotFound()
    if MessageAttachment.objects.filter(attachment_id__in=ids).exists():
        raise Invalid(_("This photo has already been sent."), field="attachments")


def _check_same(existing: Message, body: str, attachments: Sequence[Attachment]) -> None:
    """A retry must repeat the original: same text and the same photos (by checksum)."""
    sent = sorted(link.attachment.sha256 for link in existing.photos.select_related("attachment"))
    retried = sorted(a.sha256 for a in attachments)
    if existing.body != body or sent != retried:
        raise ParleyError(
            ErrorCode.CONFLICT,
            _("This idempotency key was already used for a different message."),
        )


def _check_context(
    *, store: Store, buyer_id: int, product: Product | None, order: Order | None
) -> None:
    if product is not None and order is not None:
        raise Invalid(_("A message is about a product or an order, not both."))
    if product is not None and product.store_id != store.pk:
        raise NotFound()
    if order is not None and (order.store_id != store.pk or order.buyer_id != buyer_id):
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
