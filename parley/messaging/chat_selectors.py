"""Reads for live chat: what a socket follows, what it replays, and the chat window's panels.

The callers have already checked (through ``selectors.get_conversation_for``) that the reader
takes part in the conversation, except ``recent_conversations``, which filters by the reader itself.
"""

from typing import Any

from django.conf import settings
from django.db.models import F, Q

from parley.accounts.models import User
from parley.marketplace.models import Product, StoreMembership
from parley.marketplace.selectors import store_ids_for_member

from .models import Conversation, Message
from .payloads import message_payload


def recent_conversations(user: User) -> list[Conversation]:
    """The user's most recent conversations, on either side (at most ``CHAT_PRESENCE_MAX``)."""
    mine = Q(buyer=user) | Q(store_id__in=store_ids_for_member(user))
    recent = Conversation.objects.filter(mine).order_by(
        F("last_message_at").desc(nulls_last=True), "-id"
    )
    return list(recent[: settings.CHAT_PRESENCE_MAX])


def messages_between(conversation_id: int, after: int, upto: int) -> list[dict[str, Any]]:
    """Payloads of the messages after one seq up to another, in order (at most the replay max)."""
    rows = Message.objects.filter(conversation_id=conversation_id, seq__gt=after, seq__lte=upto)
    rows = rows.select_related("sender").prefetch_related("photos__attachment").order_by("seq")
    return [message_payload(m) for m in rows[: settings.CHAT_REPLAY_MAX]]


def read_marks(conversation: Conversation) -> dict[str, int]:
    """How far each side has read: the buyer's marker and the furthest of the store's members."""
    buyer = 0
    store = 0
    for user_id, seq in conversation.read_markers.values_list("user_id", "last_read_seq"):
        if user_id == conversation.buyer_id:
            buyer = seq
        else:
            store = max(store, seq)
    return {"buyer": buyer, "store": store}


def store_seller_name(conversation: Conversation) -> str:
    """The name the buyer sees for the seller: the store's owner (or its first member)."""
    members = StoreMembership.objects.filter(store_id=conversation.store_id).select_related("user")
    membership = (
        members.filter(role=StoreMembership.Role.OWNER).order_by("id").first()
        or members.order_by("id").first()
    )
    return membership.user.public_name if membership else ""


def discussed_products(conversation: Conversation) -> list[dict[str, Any]]:
    """The Product tab: the conversation's product, or the lines of its order."""
    if conversation.product_id is not None:
        product: Product = conversation.product
        return [
            {
                "title": product.title,
                "price": product.price,
                "currency": product.currency,
                "url": product.get_absolute_url(),
            }
        ]
    if conversation.order_id is not None:
        return [
            {
                "title": line.title,
                "price": line.unit_price,
                "currency": conversation.order.currency,
                "url": line.product.get_absolute_url(),
                "quantity": line.quantity,
            }
            for line in conversation.order.lines.select_related("product")
        ]
    return []
