"""Writes to the marketplace core that Parley itself offers: a store's contacts and away notice."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, NotFound, ParleyError

from .models import Store
from .selectors import is_store_member

# A phone number as people write it: digits with spaces, dashes, brackets, an optional leading +.
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 15
AWAY_MESSAGE_MAX_LENGTH = 500
CONTACT_FIELD_MAX_LENGTHS = {
    "contact_email": 254,
    "contact_phone": 32,
    "address": 255,
    "working_hours": 120,
    "messengers": 255,
}


def _check_owner(actor: User, store: Store) -> None:
    """Members who are not owners are told why; outsiders learn nothing."""
    if not is_store_member(actor, store):
        raise NotFound()
    if not is_store_member(actor, store, owner=True):
        raise ParleyError(
            ErrorCode.PERMISSION_DENIED, _("Only the store's owner can change its settings.")
        )


def validate_phone(value: str) -> None:
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE_PATTERN.match(value) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        raise Invalid(
            _("Enter a phone number of 7 to 15 digits, for example +7 495 123-45-67."),
            field="contact_phone",
        )


def store_contacts_update(
    *,
    actor: User,
    store: Store,
    contact_email: str,
    contact_phone: str,
    address: str,
    working_hours: str,
    messengers: str,
) -> Store:
    """Replace what the store publishes; every field may be empty, none may be malformed."""
    _check_owner(actor, store)
    values = {
        "contact_email": contact_email.strip(),
        "contact_phone": contact_phone.strip(),
        "address": address.strip(),
        "working_hours": working_hours.strip(),
        "messengers": messengers.strip(),
    }
    for field, limit in CONTACT_FIELD_MAX_LENGTHS.items():
        if "\x00" in values[field]:
            raise Invalid(_("The text contains characters that cannot be stored."), field=field)
        if len(values[field]) > limit:
            raise Invalid(
                _("Keep this under %(limit)d characters.") % {"limit": limit}, field=field
            )
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            raise Invalid(_("Enter a valid e-mail address."), field="contact_email") from None
    if values["contact_phone"]:
        validate_phone(values["contact_phone"])
    with transaction.atomic():
        Store.objects.filter(pk=store.pk).update(**values)
    store.refresh_from_db()
    return store


def store_away_notice_set(*, actor: User, store: Store, message: str, until: date | None) -> Store:
    """Set the away notice (text and return date), or clear it when both are empty."""
    _check_owner(actor, store)
    message = message.strip()
    if "\x00" in message:
        raise Invalid(
            _("The text contains characters that cannot be stored."), field="away_message"
        )
    if len(message) > AWAY_MESSAGE_MAX_LENGTH:
        raise Invalid(
            _("Keep this under %(limit)d characters.") % {"limit": AWAY_MESSAGE_MAX_LENGTH},
            field="away_message",
        )
    if message and until is None:
        raise Invalid(_("Say when the store is back."), field="away_until")
    if until is not None and not message:
        raise Invalid(_("Write the notice buyers will see."), field="away_message")
    if until is not None and until < timezone.localdate(now()):
        raise Invalid(_("The return date cannot be in the past."), field="away_until")
    with transaction.atomic():
        Store.objects.filter(pk=store.pk).update(away_message=message, away_until=until)
    store.refresh_from_db()
    return store
