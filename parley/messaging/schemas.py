from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from parley.core.schemas import OutSchema


class SenderOut(OutSchema):
    id: int
    name: str


class AttachmentLinkOut(OutSchema):
    id: int
    content_type: str
    original_name: str
    width: int
    height: int
    size: int
    sha256: str
    url: str
    thumbnail_url: str


class MessageOut(OutSchema):
    """The same shape as the ``message`` of a ``message.new`` event."""

    id: int
    conversation: int
    seq: int
    sender: SenderOut
    from_store: bool
    body: str
    context: dict
    attachments: list[AttachmentLinkOut]
    client_id: str | None
    created_at: datetime


class ConversationOut(OutSchema):
    id: int
    store: dict
    buyer: SenderOut
    product: dict | None
    order: dict | None
    last_seq: int
    last_message_at: datetime | None
    unread: int
    read_seq: int


class ConversationPage(OutSchema):
    count: int
    unread_total: int
    items: list[ConversationOut]


class ConversationOpenIn(Schema):
    store: str = Field(max_length=80, description="Store slug")
    product: int | None = Field(default=None, ge=1, le=2**31 - 1)
    order: str | None = Field(default=None, min_length=1, max_length=32)
    buyer: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="Store members only: the buyer to write to (must have contacted the "
        "store or ordered from it).",
    )


class MessageIn(Schema):
    body: str = Field(default="", max_length=100_000)
    attachments: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default=[], max_length=100, description="Ids from POST /attachments."
    )
    product: int | None = Field(default=None, ge=1, le=2**31 - 1)
    order: str | None = Field(default=None, min_length=1, max_length=32)


class MessagePage(OutSchema):
    items: list[MessageOut]
    has_before: bool
    has_after: bool
    before: int | None = Field(description="Pass as `before` for older messages.")
    after: int | None = Field(description="Pass as `after` for newer messages.")


class ReadIn(Schema):
    up_to_seq: int = Field(ge=0, le=2**31 - 1)


class ReadOut(Schema):
    read_seq: int
    unread_total: int
