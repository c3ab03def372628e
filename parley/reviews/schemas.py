from datetime import datetime

from ninja import Schema
from pydantic import Field

from . import rules

ORDER_NUMBER_PATTERN = r"^[A-Za-z0-9_\-]*$"


class ReviewIn(Schema):
    rating: int = Field(ge=rules.RATING_MIN, le=rules.RATING_MAX)
    text: str = Field(min_length=1, max_length=rules.TEXT_MAX_LENGTH)
    is_question: bool = False


class ReviewCreateIn(ReviewIn):
    order_number: str = Field(
        default="",
        max_length=32,
        pattern=ORDER_NUMBER_PATTERN,
        description="Which purchase, when the product was bought more than once",
    )
    photo_ids: list[int] = Field(
        default=[],
        max_length=rules.PHOTOS_MAX,
        description="Your photos uploaded with POST /attachments, in the order to show them",
    )


class ReplyIn(Schema):
    text: str = Field(min_length=1, max_length=rules.REPLY_MAX_LENGTH)


class ReplyOut(Schema):
    store: str = Field(description="The store that answers; the reply is the seller's")
    author: str
    text: str
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime


class ReviewPhotoOut(Schema):
    id: int
    width: int
    height: int
    url: str
    thumbnail_url: str


class ReviewOut(Schema):
    id: int
    product_id: int
    product_title: str
    author: str
    rating: int
    text: str
    is_question: bool
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime
    reply: ReplyOut | None
    photos: list[ReviewPhotoOut]
    url: str


class ReviewPage(Schema):
    count: int
    average: float | None
    items: list[ReviewOut]


class FeedPage(Schema):
    count: int
    items: list[ReviewOut]


class ReviewEligibilityOut(Schema):
    allowed: bool
    reason: str | None = Field(description="log_in, not_buyer, not_delivered, already_reviewed")
    message: str
    order_numbers: list[str] = Field(description="Purchases that can be reviewed now")


class ReviewVersionOut(Schema):
    rating: int
    text: str
    is_question: bool
    written_at: datetime


class ReplyVersionOut(Schema):
    author: str
    text: str
    written_at: datetime


class ReviewHistoryOut(Schema):
    """Earlier wordings, oldest first; the current one is the review itself."""

    review: list[ReviewVersionOut]
    reply: list[ReplyVersionOut]
