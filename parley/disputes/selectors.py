"""Reads of disputes, each with its permission check: the buyer, the store and arbitrators only."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.core.errors import NotFound
from parley.marketplace.models import Order, Store
from parley.marketplace.selectors import is_store_member, store_ids_for_member
from parley.messaging.models import Message
from parley.messaging.selectors import conversation_between

from .models import Dispute, Proposal, Refund
from .rules import opening_window
from .states import OPEN_STATES, Role, State


def role_of(user: User, dispute: Dispute) -> Role | None:
    """The side ``user`` takes in ``dispute``; None means they must not even see it."""
    if not user.is_authenticated:
        return None
    if dispute.order.buyer_id == user.pk:
        return Role.BUYER
    if is_store_member(user, dispute.order.store):
        return Role.SELLER
    if user.is_arbitrator:
        return Role.ARBITRATOR
    return None


def visible_disputes(user: User) -> QuerySet[Dispute]:
    qs = Dispute.objects.select_related("order", "order__store", "order__buyer")
    if not user.is_authenticated:
        return qs.none()
    if user.is_arbitrator:
        return qs
    return qs.filter(Q(order__buyer=user) | Q(order__store_id__in=store_ids_for_member(user)))


def get_dispute_for(user: User, dispute_id: int) -> Dispute:
    dispute = visible_disputes(user).filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound()
    return dispute


def disputes_for_buyer(user: User) -> QuerySet[Dispute]:
    return visible_disputes(user).filter(order__buyer=user)


def disputes_waiting_for_store(user: User) -> QuerySet[Dispute]:
    """Open disputes on the member's stores, the nearest deadline first."""
    return (
        visible_disputes(user)
        .filter(order__store_id__in=store_ids_for_member(user), state__in=OPEN_STATES)
        .order_by("deadline_at", "opened_at")
    )


def store_dispute_counts(store: Store) -> dict[str, int]:
    """Open disputes of a store, and those where the store must act now."""
    open_ = Dispute.objects.filter(order__store=store, state__in=OPEN_STATES)
    waiting = open_.filter(
        Q(state__in=[State.AWAITING_SELLER, State.RETURN_SHIPPED])
        | Q(state=State.INFO_REQUESTED, info_requested_from=Role.SELLER)
    )
    return {"open": open_.count(), "waiting": waiting.count()}


def arbitration_queue(user: User) -> QuerySet[Dispute]:
    """Escalated disputes, the longest waiting first; empty for anyone but arbitrators."""
    if not user.is_authenticated or not user.is_arbitrator:
        return Dispute.objects.none()
    return (
        visible_disputes(user)
        .filter(state__in=[State.ESCALATED, State.INFO_REQUESTED])
        .order_by("escalated_at", "id")
    )


def refunded_total(order: Order) -> Decimal:
    return Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"] or Decimal(
        "0"
    )


def refundable_amount(order: Order) -> Decimal:
    """What may still be refunded on ``order``: paid minus already refunded."""
    return order.total_paid - refunded_total(order)


CITABLE_MESSAGES = 50


def citable_messages(order: Order) -> list[Message]:
    """The latest messages between the order's buyer and its store, oldest first."""
    conversation = conversation_between(order.buyer, order.store)
    if conversation is None:
        return []
    rows = Message.objects.filter(conversation=conversation).select_related("sender")
    return list(reversed(rows.order_by("-seq")[:CITABLE_MESSAGES]))


def latest_offer(dispute: Dispute, by: Role | None = None) -> Proposal | None:
    qs = dispute.proposals.filter(status=Proposal.Status.OPEN)
    if by is not None:
        qs = qs.filter(author_role=by)
    return qs.order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class Eligibility:
    """Whether the buyer may open a dispute now, and if not, why and since / until when."""

    allowed: bool
    code: str
    message: str
    date: datetime | None = None
    dispute: Dispute | None = None


def format_moment(moment: datetime) -> str:
    """In the reader's time zone (the active one), as pages show times."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def dispute_eligibility(order: Order, at: datetime) -> Eligibility:
    """Apply the opening rules to ``order`` at ``at``; the order must be the caller's own."""
    current = order.disputes.filter(state__in=OPEN_STATES).first()
    if current is not None:
        return Eligibility(False, "already_open", _("A dispute is already open."), None, current)
    if order.status == Order.Status.CANCELLED:
        return Eligibility(False, "cancelled", _("The order was cancelled."))
    window = opening_window(order)
    if window is None:
        return Eligibility(
            False,
            "not_shipped",
            _("The order has not been shipped yet."),
        )
    opens_at, closes_at = window
    if at < opens_at:
        return Eligibility(
            False,
            "too_early",
            _("A dispute can be opened from %(date)s.") % {"date": format_moment(opens_at)},
            opens_at,
        )
    if at > closes_at:
        return Eligibility(
            False,
            "too_late",
            _("Buyer protection ended on %(date)s.") % {"date": format_moment(closes_at)},
            closes_at,
        )
    if refundable_amount(order) <= 0:
        return Eligibility(False, "fully_refunded", _("The order has been refunded in full."))
    return Eligibility(
        True,
        "allowed",
        _("A dispute can be opened until %(date)s.") % {"date": format_moment(closes_at)},
        closes_at,
    )
