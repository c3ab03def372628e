"""The dispute rules' arithmetic: when a dispute may be opened, escalated, and each deadline.

The numbers live in settings (``DISPUTE_*``, read from the environment); this module only
applies them, so every edge can be tested with a frozen clock. All times are UTC.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from parley.marketplace.models import Order

from .states import Role, State


def opening_window(order: Order) -> tuple[datetime, datetime] | None:
    """First and last moment (both included) a dispute may be opened; None before shipment."""
    if order.shipped_at is None:
        return None
    return order.shipped_at + settings.DISPUTE_OPENS_AFTER, order.protection_ends_at


def escalation_opens_at(opened_at: datetime) -> datetime:
    return opened_at + settings.DISPUTE_ESCALATION_AFTER


def deadline_for(state: State, since: datetime) -> datetime | None:
    """When the timer of a waiting state started at ``since`` runs out; None if it has none."""
    period = {
        State.AWAITING_SELLER: settings.DISPUTE_SELLER_ANSWER_PERIOD,
        State.AWAITING_RETURN: settings.DISPUTE_RETURN_SHIPPING_PERIOD,
        State.RETURN_SHIPPED: settings.DISPUTE_RECEIPT_CONFIRM_PERIOD,
        State.INFO_REQUESTED: settings.DISPUTE_INFO_REQUEST_PERIOD,
    }.get(state)
    return since + period if period else None


@dataclass(frozen=True)
class NextStep:
    """Who must act next, by when, and what happens if they do not."""

    who: Role | None
    by: datetime | None
    what: str
    otherwise: str


def next_step(
    state: State, deadline_at: datetime | None, opened_at: datetime, info_from: str = ""
) -> NextStep:
    if state == State.AWAITING_SELLER:
        return NextStep(
            Role.SELLER,
            deadline_at,
            str(_("The seller answers: accepts, makes a counter-offer or rejects.")),
            str(_("The buyer's proposal is accepted automatically.")),
        )
    if state == State.NEGOTIATING:
        return NextStep(
            None,
            escalation_opens_at(opened_at),
            str(_("Either side accepts the other's latest offer or makes a new one.")),
            str(_("From this moment the buyer may escalate the dispute to an arbitrator.")),
        )
    if state == State.AWAITING_RETURN:
        return NextStep(
            Role.BUYER,
            deadline_at,
            str(_("The buyer ships the item back and enters the tracking number.")),
            str(_("The dispute closes without a refund.")),
        )
    if state == State.RETURN_SHIPPED:
        return NextStep(
            Role.SELLER,
            deadline_at,
            str(_("The seller confirms that the returned item arrived.")),
            str(_("The refund is recorded automatically.")),
        )
    if state == State.ESCALATED:
        return NextStep(
            Role.ARBITRATOR,
            None,
            str(_("The arbitrator studies the evidence and decides.")),
            "",
        )
    if state == State.INFO_REQUESTED:
        return NextStep(
            Role(info_from) if info_from else None,
            deadline_at,
            str(_("The arbitrator asked for more information.")),
            str(_("The arbitrator decides with what has been submitted.")),
        )
    return NextStep(None, None, str(_("The dispute is closed.")), "")
