"""Dispute events notify both sides (never the actor), and deadlines warn at 50% and 90%."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from parley.core.errors import ParleyError
from parley.disputes import services
from parley.disputes.selectors import latest_offer
from parley.disputes.states import Role, State
from parley.notifications.models import Notification

from ..disputes_kit import DAY, build, open_dispute
from ..factories import MembershipFactory, UserFactory
from ..notifications.conftest import run_worker

pytestmark = pytest.mark.django_db


def work(committed) -> None:
    """Run the due jobs; what they leave for after commit runs as a real commit would."""
    with committed():
        run_worker()


def told(kind: str | None = None) -> list[tuple[str, str]]:
    rows = Notification.objects.order_by("kind", "recipient__username")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return [(n.recipient.username, n.kind) for n in rows]


@pytest.fixture
def traveller(cast):
    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as t:
        yield t


def test_opening_tells_every_store_member_not_the_buyer(cast, traveller, committed):
    MembershipFactory(store=cast.store, user=UserFactory(username="staff"))
    with committed():
        dispute = open_dispute(cast)
    assert told() == [("seller", "dispute_opened"), ("staff", "dispute_opened")]
    notification = Notification.objects.first()
    assert notification.params == {"order": "A-1"}
    assert notification.link == f"/disputes/{dispute.pk}/"


def test_a_counter_offer_is_an_answer_and_an_offer_for_the_buyer(cast, traveller, committed):
    dispute = open_dispute(cast)
    Notification.objects.all().delete()
    with committed():
        services.dispute_counter(
            actor=cast.seller,
            dispute_id=dispute.pk,
            refund_amount=Decimal("200"),
            return_item=False,
        )
    assert told() == [("buyer", "dispute_answered"), ("buyer", "dispute_offer")]
    with committed():
        services.dispute_counter(
            actor=cast.buyer, dispute_id=dispute.pk, refund_amount=Decimal("300"), return_item=False
        )
    assert told("dispute_offer") == [("buyer", "dispute_offer"), ("seller", "dispute_offer")]
    assert told("dispute_answered") == [("buyer", "dispute_answered")]  # answered only once


def test_accepting_records_a_refund_both_sides_hear_of(cast, traveller, committed):
    dispute = open_dispute(cast)
    with committed():
        services.dispute_accept(
            actor=cast.seller,
            dispute_id=dispute.pk,
            proposal_id=latest_offer(dispute, Role.BUYER).pk,
        )
    assert told("dispute_answered") == [("buyer", "dispute_answered")]
    assert told("dispute_refund") == [("buyer", "dispute_refund"), ("seller", "dispute_refund")]


def test_escalation_tells_the_seller_and_the_arbitrators(cast, traveller, committed):
    dispute = build(cast, traveller, State.NEGOTIATING)
    Notification.objects.all().delete()
    with committed():
        services.dispute_escalate(actor=cast.buyer, dispute_id=dispute.pk)
    assert told() == [("arbitrator", "dispute_escalated"), ("seller", "dispute_escalated")]


def test_the_arbitrators_request_and_decision_reach_both_sides(cast, traveller, committed):
    dispute = build(cast, traveller, State.ESCALATED)
    Notification.objects.all().delete()
    with committed():
        services.dispute_request_info(
            actor=cast.arbitrator, dispute_id=dispute.pk, party="seller", question="Фото?"
        )
    assert told() == [("buyer", "dispute_info_requested"), ("seller", "dispute_info_requested")]
    with committed():
        services.dispute_decide(
            actor=cast.arbitrator,
            dispute_id=dispute.pk,
            outcome="partial_refund",
            reason="Скол виден на фото.",
            refund_amount=Decimal("150.00"),
        )
    assert told("dispute_decided") == [("buyer", "dispute_decided"), ("seller", "dispute_decided")]
    assert told("dispute_refund") == [("buyer", "dispute_refund"), ("seller", "dispute_refund")]


def test_a_refused_action_notifies_nobody(cast, traveller, committed):
    dispute = open_dispute(cast)
    Notification.objects.all().delete()
    with committed(), pytest.raises(ParleyError):
        services.dispute_escalate(actor=cast.buyer, dispute_id=dispute.pk)  # too early
    assert told() == []


def test_a_rolled_back_action_notifies_nobody(cast, traveller, committed):
    class Boom(Exception):
        pass

    with committed(), pytest.raises(Boom), transaction.atomic():
        open_dispute(cast)
        raise Boom
    assert told() == []


def test_warnings_at_half_and_ninety_percent_of_the_seller_deadline(cast, traveller, committed):
    with committed():
        dispute = open_dispute(cast)
    start, deadline = dispute.opened_at, dispute.deadline_at
    half, ninety = start + (deadline - start) / 2, start + (deadline - start) * 9 / 10
    Notification.objects.all().delete()
    traveller.move_to(half - timedelta(seconds=1))
    work(committed)
    assert told() == []
    traveller.move_to(half)
    work(committed)
    assert told() == [("buyer", "dispute_deadline"), ("seller", "dispute_deadline")]
    assert {n.params["percent"] for n in Notification.objects.all()} == {50}
    traveller.move_to(ninety - timedelta(seconds=1))
    work(committed)
    assert Notification.objects.count() == 2
    traveller.move_to(ninety)
    work(committed)
    assert sorted(Notification.objects.values_list("params__percent", flat=True)) == [
        50,
        50,
        90,
        90,
    ]


def test_a_warning_for_a_deadline_that_moved_on_does_nothing(cast, traveller, committed):
    with committed():
        dispute = open_dispute(cast)
    with committed():
        services.dispute_reject(actor=cast.seller, dispute_id=dispute.pk, reason="Нет скола.")
    Notification.objects.all().delete()
    traveller.move_to(dispute.deadline_at - timedelta(seconds=1))
    work(committed)
    assert told() == []


def test_the_sweep_sends_due_warnings_once(cast, traveller, committed):
    dispute = open_dispute(cast)  # no jobs: the sweep alone must warn
    Notification.objects.all().delete()
    traveller.move_to(dispute.opened_at + (dispute.deadline_at - dispute.opened_at) * 9 / 10)
    for _ in range(2):
        with committed():
            call_command("sweep_deadlines", stdout=io.StringIO())
    assert sorted(Notification.objects.values_list("recipient__username", "params__percent")) == [
        ("buyer", 50), ("buyer", 90), ("seller", 50), ("seller", 90),
    ]  # fmt: skip
