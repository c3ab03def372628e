"""Typed input and output of the disputes API."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

MAX_ID = 2_147_483_647
# Money travels as a decimal string with at most two places, more than zero: "350.00".
MONEY_PATTERN = r"^([1-9][0-9]{0,9}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"


def Money(**kwargs: object) -> Any:
    return Field(pattern=MONEY_PATTERN, examples=["350.00"], **kwargs)


SOMETHING = r"[^\s\x1c-\x1f]"  # at least one character that is not a space


class DisputeRef(Schema):
    dispute_id: int = Field(ge=1, le=MAX_ID)


class OrderRef(Schema):
    number: str = Field(min_length=1, max_length=32)


class EligibilityOut(Schema):
    allowed: bool
    code: str
    message: str
    date: datetime | None
    dispute_id: int | None


Ids = list[Annotated[int, Field(ge=1, le=MAX_ID)]]


class EvidenceRefs(Schema):
    attachment_ids: Ids = Field(
        default=[], max_length=10, description="Your photos, uploaded with POST /attachments."
    )
    message_ids: Ids = Field(
        default=[],
        max_length=50,
        description="Messages of the buyer's conversation with the store, cited by reference.",
    )


class DisputeOpenIn(EvidenceRefs):
    order: str = Field(min_length=1, max_length=32, description="Order number")
    reason: Literal["not_received", "not_as_described", "damaged", "other"]
    description: str = Field(min_length=1, max_length=2000, pattern=SOMETHING)
    resolution: Literal["refund_only", "return_and_refund"]
    refund_amount: str = Money()


class OfferIn(Schema):
    refund_amount: str = Money()
    return_item: bool = Field(default=False, strict=True)
    return_shipping_paid_by: Literal["buyer", "seller"] = Field(
        default="seller", description="Who pays for the return shipping; ignored without return."
    )
    note: str = Field(default="", max_length=2000)


class AcceptIn(Schema):
    proposal_id: int = Field(ge=1, le=MAX_ID)


class TextIn(Schema):
    text: str = Field(min_length=1, max_length=2000, pattern=SOMETHING)


class CommentIn(EvidenceRefs):
    text: str = Field(min_length=1, max_length=2000, pattern=SOMETHING)


class OptionalTextIn(Schema):
    text: str = Field(default="", max_length=2000)


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, pattern=SOMETHING)


class ReturnShipmentIn(Schema):
    tracking_number: str = Field(min_length=1, max_length=64, pattern=SOMETHING)


class InfoRequestIn(Schema):
    party: Literal["buyer", "seller"]
    question: str = Field(min_length=1, max_length=2000, pattern=SOMETHING)


class DecisionIn(Schema):
    outcome: Literal["full_refund", "partial_refund", "return_and_refund", "no_refund"]
    refund_amount: str = Money(
        description="The refund for partial_refund and return_and_refund; ignored otherwise "
        "(full_refund refunds what is left, no_refund nothing).",
    )
    reason: str = Field(min_length=1, max_length=2000, pattern=SOMETHING)


class OfferOut(Schema):
    id: int
    by: str
    author: str
    refund_amount: Decimal
    currency: str
    return_item: bool
    return_shipping_paid_by: str
    note: str
    status: str
    created_at: datetime


class EvidenceOut(Schema):
    kind: str
    attachment_id: int | None
    sha256: str | None
    received_at: datetime | None
    url: str | None
    message_id: int | None
    message_sent_at: datetime | None
    message_author: str | None
    message_text: str | None
    message_text_sha256: str | None
    message_unchanged: bool | None


class TimelineOut(Schema):
    at: datetime
    role: str
    author: str | None
    action: str
    from_state: str
    to_state: str
    text: str
    proposal_id: int | None
    data: dict
    evidence: list[EvidenceOut]


class RefundOut(Schema):
    id: int
    amount: Decimal
    currency: str
    cause: str
    created_at: datetime


class DecisionOut(Schema):
    outcome: str
    refund_amount: Decimal
    currency: str
    reason: str
    decided_at: datetime


class NextStepOut(Schema):
    who: str | None
    by: datetime | None
    what: str
    otherwise: str


class DisputeSummaryOut(Schema):
    id: int
    order: str
    store: str
    state: str
    state_label: str
    reason: str
    opened_at: datetime
    deadline_at: datetime | None
    escalated_at: datetime | None
    url: str


class DisputeOut(DisputeSummaryOut):
    description: str
    closed_at: datetime | None
    your_role: str
    actions: list[str]
    next_step: NextStepOut
    offers: list[OfferOut]
    timeline: list[TimelineOut]
    refunds: list[RefundOut]
    decision: DecisionOut | None


class DisputePage(Schema):
    count: int
    items: list[DisputeSummaryOut]
