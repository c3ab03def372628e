"""The one shape of a message that the API, the pages' script and live chat all receive.

Events go to both sides of the conversation: the buyer's own group (``user_group``, which also
carries their notifications) and the store's group ``chat.store.{id}``, which the sockets of
every store member join. A socket so joins one or two groups however many conversations its
user has, and hears a conversation started after it connected. After a message is committed::

    {"type": "message.new", "conversation": 12, "buyer": 5, "store": 3, "seq": 7,
     "message": MESSAGE}

and after a participant has read up to a point::

    {"type": "conversation.read", "conversation": 12, "buyer": 5, "store": 3, "seq": 7,
     "user": 5, "from_store": false}

MESSAGE is ``message_payload(message)``: id, conversation, seq, sender {id, name}, from_store,
body, context ({} or {"kind": "product", ...} / {"kind": "order", ...}), attachments [{id,
content_type, original_name, width, height, size, sha256, url, thumbnail_url}], client_id,
created_at (ISO 8601, UTC).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from parley.attachments.models import Attachment
from parley.notifications.services import user_group

from .models import Message

if TYPE_CHECKING:
    from .selectors import MessageRow

STORE_GROUP = "chat.store.{id}"


def store_group(store_id: int) -> str:
    return STORE_GROUP.format(id=store_id)


def side_group(*, buyer_id: int, store_id: int, store_side: bool) -> str:
    """The group of one side of a conversation."""
    return store_group(store_id) if store_side else user_group(buyer_id)


def both_sides(buyer_id: int, store_id: int) -> list[str]:
    return [user_group(buyer_id), store_group(store_id)]


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "content_type": attachment.content_type,
        "original_name": attachment.original_name,
        "width": attachment.width,
        "height": attachment.height,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": reverse("messaging:attachment", args=[attachment.id]),
        "thumbnail_url": reverse("messaging:attachment-thumb", args=[attachment.id]),
    }


def message_payload(
    message: "Message | MessageRow", attachments: Sequence[Attachment] | None = None
) -> dict[str, Any]:
    """``attachments``, when the caller has them in order, saves reading them back (a
    ``MessageRow`` always has them)."""
    if attachments is None:
        attachments = [link.attachment for link in message.photos.all()]
    return {
        "id": message.id,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "sender": {"id": message.sender_id, "name": message.sender.public_name},
        "from_store": message.from_store,
        "body": message.body,
        "context": message.context,
        "attachments": [attachment_payload(attachment) for attachment in attachments],
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }


def message_api_payload(
    message: "Message | MessageRow", attachments: Sequence[Attachment] | None = None
) -> dict[str, Any]:
    """``MessageOut``: the event's payload with its time left as a datetime, which the API's
    renderer writes its own way (to the millisecond, UTC as Z)."""
    return {**message_payload(message, attachments), "created_at": message.created_at}
