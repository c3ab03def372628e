"""The whole transition table: every state × every action × every side, allowed or refused."""

from decimal import Decimal

import pytest
import time_machine

from parley.core.errors import ErrorCode, NotFound, ParleyError
from parley.disputes import services
from parley.disputes.models import Dispute, TimelineEntry
from parley.disputes.selectors import latest_offer
from parley.disputes.states import (
    DEADLINE_ACTIONS,
    TRANSITIONS,
    Action,
    Role,
    State,
    allowed,
)

from .disputes_kit import build

PEOPLE = [Role.BUYER, Role.SELLER, Role.ARBITRATOR]
HUMAN_ACTIONS = [a for a in Action if a != Action.OPEN and a not in DEADLINE_ACTIONS.values()]
TIMEOUTS = list(DEADLINE_ACTIONS.values())


def perform(cast, dispute: Dispute, action: Action, role: Role) -> None:
    user = {Role.BUYER: cast.buyer, Role.SELLER: cast.seller, Role.ARBITRATOR: cast.arbitrator}[
        role
    ]
    pk = dispute.pk
    if action == Action.ACCEPT:
        other = Role.SELLER if role == Role.BUYER else Role.BUYER
        offer = latest_offer(dispute, other) or dispute.proposals.last()
        services.dispute_accept(actor=user, dispute_id=pk, proposal_id=offer.pk)
    elif action == Action.COUNTER:
        services.dispute_counter(
            actor=user, dispute_id=pk, refund_amount=Decimal("100.00"), return_item=False
        )
    elif action == Action.REJECT:
        services.dispute_reject(actor=user, dispute_id=pk, reason="Товар был целым.")
    elif action == Action.COMMENT:
        services.dispute_comment(actor=user, dispute_id=pk, text="Комментарий")
    elif action == Action.WITHDRAW:
        services.dispute_withdraw(actor=user, dispute_id=pk)
    elif action == Action.ESCALATE:
        services.dispute_escalate(actor=user, dispute_id=pk)
    elif action == Action.SHIP_RETURN:
        services.dispute_ship_return(actor=user, dispute_id=pk, tracking_number="RU2")
    elif action == Action.CONFIRM_RECEIPT:
        services.dispute_confirm_receipt(actor=user, dispute_id=pk)
    elif action == Action.REQUEST_INFO:
        services.dispute_request_info(actor=user, dispute_id=pk, party="seller", question="?")
    elif action == Action.PROVIDE_INFO:
        services.dispute_provide_info(actor=user, dispute_id=pk, text="Вот фото.")
    elif action == Action.DECIDE:
        services.dispute_decide(
            actor=user,
            dispute_id=pk,
            outcome="partial_refund",
            refund_amount=Decimal("100.00"),
            reason="Частично.",
        )
    else:  # pragma: no cover - every human action is listed above
        raise AssertionError(action)


def give_the_other_side_an_offer(cast, dispute: Dispute, action: Action, role: Role) -> None:
    """Accepting needs an offer from the other side; in negotiation either side may be last."""
    if action != Action.ACCEPT or dispute.state != State.NEGOTIATING or role == Role.ARBITRATOR:
        return
    other = Role.SELLER if role == Role.BUYER else Role.BUYER
    if latest_offer(dispute, other) is None:
        services.dispute_counter(
            actor=cast.buyer if other == Role.BUYER else cast.seller,
            dispute_id=dispute.pk,
            refund_amount=Decimal("300.00"),
            return_item=False,
        )


def test_every_human_action_is_callable():
    assert set(HUMAN_ACTIONS) | set(TIMEOUTS) | {Action.OPEN} == set(Action)
    assert {a for (_s, a) in TRANSITIONS} <= set(Action) - {Action.OPEN}


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", HUMAN_ACTIONS)
@pytest.mark.parametrize("role", PEOPLE)
def test_human_transitions(cast, state, action, role):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        info_from = role if role in (Role.BUYER, Role.SELLER) else Role.BUYER
        dispute = build(cast, traveller, state, info_from=info_from)
        give_the_other_side_an_offer(cast, dispute, action, role)
        entries = TimelineEntry.objects.filter(dispute=dispute).count()
        if allowed(state, action, role):
            perform(cast, dispute, action, role)
            dispute.refresh_from_db()
            assert dispute.state in TRANSITIONS[(state, action)].targets
            assert TimelineEntry.objects.filter(dispute=dispute).count() == entries + 1
        else:
            with pytest.raises(ParleyError) as refused:
                perform(cast, dispute, action, role)
            assert refused.value.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.CONFLICT)
            dispute.refresh_from_db()
            assert dispute.state == state
            assert TimelineEntry.objects.filter(dispute=dispute).count() == entries


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(State))
def test_deadline_actions_follow_the_table(cast, state):
    """Past every deadline, the system acts exactly where the table gives it an action."""
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, state)
        traveller.shift(60 * 86400)
        acted = services.dispute_deadline_act(dispute_id=dispute.pk)
        dispute.refresh_from_db()
        if state in DEADLINE_ACTIONS:
            assert acted is not None and acted.action == DEADLINE_ACTIONS[state]
            assert dispute.state in TRANSITIONS[(state, DEADLINE_ACTIONS[state])].targets
        else:
            assert acted is None and dispute.state == state


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_table_check_matches_allowed(state, action, role):
    """``check_transition`` (what services call) refuses exactly what the table does not list."""
    dispute = Dispute(state=state)
    if allowed(state, action, role):
        assert services.check_transition(dispute, action, role)
    else:
        with pytest.raises(ParleyError):
            services.check_transition(dispute, action, role)


@pytest.mark.django_db
@pytest.mark.parametrize("action", HUMAN_ACTIONS)
def test_outsiders_never_reach_a_dispute(cast, action):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.NEGOTIATING)
        cast.arbitrator = cast.other_seller  # another store's seller in the arbitrator's seat
        with pytest.raises(NotFound):
            perform(cast, dispute, action, Role.ARBITRATOR)
