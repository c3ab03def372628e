from datetime import date, datetime

from ninja import Field, Schema

from parley.core.schemas import OutSchema


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=200, description="Words, in any grammatical form")
    store: str | None = Field(default=None, max_length=100, description="A store's slug")
    buyer: int | None = Field(default=None, ge=1, le=2**31 - 1, description="A buyer's id")
    date_from: date | None = Field(default=None, description="Inclusive, reader's time zone")
    date_to: date | None = Field(default=None, description="Inclusive, reader's time zone")
    has_photos: bool = False
    before: int | None = Field(default=None, ge=1, le=2**63 - 1, description="Cursor")
    limit: int = Field(default=20, ge=1, le=100)


class HitOut(OutSchema):
    id: int
    conversation: int
    seq: int
    store: str
    buyer: str
    sender: str
    from_store: bool
    created_at: datetime
    body: str
    highlighted: str = Field(description="HTML: the text escaped, matches in <mark>.")
    url: str


class SearchOut(OutSchema):
    items: list[HitOut]
    next_cursor: int | None = Field(description="Pass as `before` for older results.")
