"""Build disputes in any state through the real services, with a frozen clock."""

from datetime import timedelta
from decimal import Decimal

from parley.disputes import services
from parley.disputes.models import Dispute
from parley.disputes.selectors import latest_offer
from parley.disputes.states import Role, State

DAY = timedelta(days=1)


def open_dispute(cast, *, return_item: bool = False, amount: str = "400.00") -> Dispute:
    return services.dispute_open(
        actor=cast.buyer,
        order_number=cast.order.number,
        reason=Dispute.Reason.NOT_AS_DESCRIBED,
        description="Кружка пришла со сколом.",
        refund_amount=Decimal(amount),
        return_item=return_item,
    )


def build(cast, traveller, state: State, *, info_from: Role = Role.BUYER) -> Dispute:
    """A dispute on ``cast.order`` in ``state``; the clock ends 16 days after it was opened."""
    traveller.move_to(cast.order.shipped_at + 7 * DAY)
    opened_at = cast.order.shipped_at + 7 * DAY
    return_item = state in (State.AWAITING_RETURN, State.RETURN_SHIPPED, State.RETURN_EXPIRED)
    dispute = open_dispute(cast, return_item=return_item)
    pk = dispute.pk
    if state in (State.RESOLVED, State.AWAITING_RETURN, State.RETURN_SHIPPED, State.RETURN_EXPIRED):
        services.dispute_accept(
            actor=cast.seller, dispute_id=pk, proposal_id=latest_offer(dispute, Role.BUYER).pk
        )
    if state in (State.NEGOTIATING, State.ESCALATED, State.INFO_REQUESTED, State.DECIDED):
        services.dispute_counter(
            actor=cast.seller, dispute_id=pk, refund_amount=Decimal("200.00"), return_item=False
        )
    if state == State.RETURN_SHIPPED:
        services.dispute_ship_return(actor=cast.buyer, dispute_id=pk, tracking_number="RU1")
    if state == State.RETURN_EXPIRED:
        traveller.move_to(opened_at + 11 * DAY)
        services.dispute_deadline_act(dispute_id=pk)
    if state == State.WITHDRAWN:
        services.dispute_withdraw(actor=cast.buyer, dispute_id=pk)
    if state in (State.ESCALATED, State.INFO_REQUESTED, State.DECIDED):
        traveller.move_to(opened_at + 15 * DAY)
        services.dispute_escalate(actor=cast.buyer, dispute_id=pk)
    if state == State.INFO_REQUESTED:
        services.dispute_request_info(
            actor=cast.arbitrator, dispute_id=pk, party=info_from, question="Фото упаковки?"
        )
    if state == State.DECIDED:
        services.dispute_decide(
            actor=cast.arbitrator, dispute_id=pk, outcome="no_refund", reason="Нет доказательств."
        )
    traveller.move_to(opened_at + 16 * DAY)
    dispute.refresh_from_db()
    assert dispute.state == state
    return dispute
