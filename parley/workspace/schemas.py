from datetime import date

from ninja import Schema
from pydantic import Field

from parley.marketplace.schemas import StoreContactsOut
from parley.marketplace.services import AWAY_MESSAGE_MAX_LENGTH, CONTACT_FIELD_MAX_LENGTHS


class DeskOut(Schema):
    slug: str
    name: str
    is_owner: bool
    unanswered_reviews: int
    unanswered_questions: int
    unread_messages: int
    url: str


class StoreSettingsOut(StoreContactsOut):
    away_message: str
    away_until: date | None


class ContactsIn(Schema):
    contact_email: str = Field(default="", max_length=CONTACT_FIELD_MAX_LENGTHS["contact_email"])
    contact_phone: str = Field(default="", max_length=CONTACT_FIELD_MAX_LENGTHS["contact_phone"])
    address: str = Field(default="", max_length=CONTACT_FIELD_MAX_LENGTHS["address"])
    working_hours: str = Field(default="", max_length=CONTACT_FIELD_MAX_LENGTHS["working_hours"])
    messengers: str = Field(default="", max_length=CONTACT_FIELD_MAX_LENGTHS["messengers"])


class AwayIn(Schema):
    message: str = Field(default="", max_length=AWAY_MESSAGE_MAX_LENGTH)
    until: date | None = None
