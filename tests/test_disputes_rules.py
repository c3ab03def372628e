"""Each dispute rule at its edges, with a frozen clock (UTC)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from parley.core.errors import ErrorCode, Invalid, ParleyError
from parley.disputes import services
from parley.disputes.models import Dispute, Refund, TimelineEntry
from parley.disputes.selectors import dispute_eligibility, latest_offer
from parley.disputes.states import Role, State
from parley.marketplace.models import Order

from .disputes_kit import DAY, build, open_dispute
from .factories import OrderFactory

SECOND = timedelta(seconds=1)
SHIPPED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def order(cast):
    Order.objects.filter(pk=cast.order.pk).update(shipped_at=SHIPPED, placed_at=SHIPPED - DAY)
    cast.order.refresh_from_db()
    return cast.order


def test_rule_numbers_are_settings():
    assert timedelta(days=6) == settings.DISPUTE_OPENS_AFTER
    assert timedelta(days=5) == settings.DISPUTE_SELLER_ANSWER_PERIOD
    assert timedelta(days=10) == settings.DISPUTE_RETURN_SHIPPING_PERIOD
    assert timedelta(days=15) == settings.DISPUTE_RECEIPT_CONFIRM_PERIOD
    assert timedelta(days=15) == settings.DISPUTE_ESCALATION_AFTER


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("after_shipment", "allowed", "code"),
    [
        (6 * DAY - SECOND, False, "too_early"),
        (6 * DAY, True, "allowed"),
        (60 * DAY, True, "allowed"),
        (60 * DAY + SECOND, False, "too_late"),
    ],
)
def test_opening_window_edges(cast, order, after_shipment, allowed, code):
    with time_machine.travel(SHIPPED + after_shipment, tick=False):
        verdict = dispute_eligibility(order, SHIPPED + after_shipment)
        assert (verdict.allowed, verdict.code) == (allowed, code)
        if allowed:
            assert open_dispute(cast).state == State.AWAITING_SELLER
        else:
            with pytest.raises(ParleyError) as refused:
                open_dispute(cast)
            assert refused.value.code == ErrorCode.PERMISSION_DENIED
            assert refused.value.detail["reason"] == code
            assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_too_early_names_the_opening_date(cast, order):
    with time_machine.travel(SHIPPED + 3 * DAY, tick=False), translation.override("ru"):
        verdict = dispute_eligibility(order, SHIPPED + 3 * DAY)
    assert verdict.date == SHIPPED + 6 * DAY
    assert "Спор можно открыть с 7 марта 2026 г. 12:30" in verdict.message  # Moscow, UTC+3


@pytest.mark.django_db
def test_not_shipped_and_already_open(cast):
    unshipped = OrderFactory(
        buyer=cast.buyer, store=cast.store, status=Order.Status.PAID, shipped_at=None
    )
    assert dispute_eligibility(unshipped, unshipped.placed_at).code == "not_shipped"
    dispute = open_dispute(cast)
    verdict = dispute_eligibility(cast.order, dispute.opened_at)
    assert verdict.code == "already_open" and verdict.dispute == dispute
    with pytest.raises(ParleyError):
        open_dispute(cast)
    assert Dispute.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "ok"),
    [("0", False), ("-1", False), ("0.001", False), ("1000.00", True), ("1000.01", False)],
)
def test_refund_asked_is_positive_and_at_most_paid(cast, amount, ok):
    if ok:
        assert open_dispute(cast, amount=amount).proposals.get().refund_amount == Decimal(amount)
    else:
        with pytest.raises(ParleyError):
            open_dispute(cast, amount=amount)
        assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_another_persons_order_is_not_found(cast):
    from parley.core.errors import NotFound

    with pytest.raises(NotFound):
        services.dispute_open(
            actor=cast.buyer, order_number=cast.other_order.number, reason="other",
            description="x", refund_amount=Decimal("1"), return_item=False,
        )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("after_opening", "ok"), [(15 * DAY - SECOND, False), (15 * DAY, True)])
def test_escalation_edge(cast, order, after_opening, ok):
    with time_machine.travel(SHIPPED + 7 * DAY, tick=False) as traveller:
        dispute = open_dispute(cast)
        services.dispute_reject(actor=cast.seller, dispute_id=dispute.pk, reason="Нет.")
        traveller.move_to(dispute.opened_at + after_opening)
        if ok:
            services.dispute_escalate(actor=cast.buyer, dispute_id=dispute.pk)
        else:
            with pytest.raises(ParleyError) as refused:
                services.dispute_escalate(actor=cast.buyer, dispute_id=dispute.pk)
            assert refused.value.detail["reason"] == "too_early"
        dispute.refresh_from_db()
        assert dispute.state == (State.ESCALATED if ok else State.NEGOTIATING)


@pytest.mark.django_db
@pytest.mark.parametrize("return_item", [False, True])
def test_seller_silence_accepts_the_buyers_proposal_at_five_days(cast, order, return_item):
    with time_machine.travel(SHIPPED + 7 * DAY, tick=False) as traveller:
        dispute = open_dispute(cast, return_item=return_item)
        traveller.move_to(dispute.opened_at + 5 * DAY - SECOND)
        assert services.dispute_deadline_act(dispute_id=dispute.pk) is None
        traveller.move_to(dispute.opened_at + 5 * DAY)
        entry = services.dispute_deadline_act(dispute_id=dispute.pk)
        assert entry.role == Role.SYSTEM and entry.action == "seller_timeout"
        dispute.refresh_from_db()
        if return_item:
            assert dispute.state == State.AWAITING_RETURN
            assert dispute.deadline_at == dispute.opened_at + 15 * DAY
            assert not Refund.objects.exists()
        else:
            assert dispute.state == State.RESOLVED
            refund = Refund.objects.get()
            assert (refund.amount, refund.cause) == (Decimal("400.00"), "seller_timeout")
        assert services.dispute_deadline_act(dispute_id=dispute.pk) is None


@pytest.mark.django_db
def test_return_not_shipped_in_ten_days_closes_without_refund(cast, order):
    with time_machine.travel(SHIPPED + 7 * DAY, tick=False) as traveller:
        dispute = open_dispute(cast, return_item=True)
        offer = latest_offer(dispute, Role.BUYER)
        services.dispute_accept(actor=cast.seller, dispute_id=dispute.pk, proposal_id=offer.pk)
        agreed_at = dispute.opened_at
        traveller.move_to(agreed_at + 10 * DAY - SECOND)
        assert services.dispute_deadline_act(dispute_id=dispute.pk) is None
        traveller.move_to(agreed_at + 10 * DAY)
        assert services.dispute_deadline_act(dispute_id=dispute.pk).action == "return_timeout"
        dispute.refresh_from_db()
        assert dispute.state == State.RETURN_EXPIRED and not Refund.objects.exists()


@pytest.mark.django_db
def test_receipt_not_confirmed_in_fifteen_days_records_the_refund(cast, order):
    with time_machine.travel(SHIPPED + 7 * DAY, tick=False) as traveller:
        dispute = build(cast, traveller, State.RETURN_SHIPPED)
        shipped_back = TimelineEntry.objects.get(dispute=dispute, action="ship_return").at
        traveller.move_to(shipped_back + 15 * DAY - SECOND)
        assert services.dispute_deadline_act(dispute_id=dispute.pk) is None
        traveller.move_to(shipped_back + 15 * DAY)
        services.dispute_deadline_act(dispute_id=dispute.pk)
        dispute.refresh_from_db()
        assert dispute.state == State.RESOLVED
        assert Refund.objects.get().cause == "receipt_timeout"


@pytest.mark.django_db
def test_agreement_with_return_then_receipt_records_refund(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.RETURN_SHIPPED)
        services.dispute_confirm_receipt(actor=cast.seller, dispute_id=dispute.pk)
        dispute.refresh_from_db()
        assert dispute.state == State.RESOLVED and dispute.closed_at is not None
        assert Refund.objects.get().amount == Decimal("400.00")


@pytest.mark.django_db
def test_counter_offer_accepted_by_buyer_refunds_the_counter_amount(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.NEGOTIATING)
        counter = latest_offer(dispute, Role.SELLER)
        services.dispute_accept(actor=cast.buyer, dispute_id=dispute.pk, proposal_id=counter.pk)
        assert Refund.objects.get().amount == Decimal("200.00")
        assert Refund.objects.get().cause == "agreement"


@pytest.mark.django_db
def test_accepting_a_superseded_offer_is_a_conflict(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.NEGOTIATING)
        first = latest_offer(dispute, Role.SELLER)
        services.dispute_counter(
            actor=cast.buyer, dispute_id=dispute.pk, refund_amount=Decimal("300"),
            return_item=False,
        )  # fmt: skip
        services.dispute_counter(
            actor=cast.seller, dispute_id=dispute.pk, refund_amount=Decimal("250"),
            return_item=True, return_shipping_paid_by="seller",
        )  # fmt: skip
        with pytest.raises(ParleyError) as refused:
            services.dispute_accept(actor=cast.buyer, dispute_id=dispute.pk, proposal_id=first.pk)
        assert refused.value.code == ErrorCode.CONFLICT


@pytest.mark.django_db
def test_return_offer_needs_who_pays_shipping(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.NEGOTIATING)
        with pytest.raises(Invalid):
            services.dispute_counter(
                actor=cast.buyer, dispute_id=dispute.pk, refund_amount=Decimal("300"),
                return_item=True,
            )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "amount", "refunded"),
    [
        ("full_refund", None, "1000.00"),
        ("partial_refund", "350.00", "350.00"),
        ("return_and_refund", "1000.00", "1000.00"),
        ("no_refund", None, None),
    ],
)
def test_decisions_record_their_refund(cast, outcome, amount, refunded):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.ESCALATED)
        decision = services.dispute_decide(
            actor=cast.arbitrator, dispute_id=dispute.pk, outcome=outcome,
            refund_amount=Decimal(amount) if amount else None, reason="Так решено.",
        )  # fmt: skip
        assert decision.reason == "Так решено."
        dispute.refresh_from_db()
        assert dispute.state == State.DECIDED
        refunds = list(Refund.objects.values_list("amount", flat=True))
        assert refunds == ([Decimal(refunded)] if refunded else [])


@pytest.mark.django_db
def test_information_request_deadline_returns_to_the_arbitrator(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.INFO_REQUESTED, info_from=Role.SELLER)
        with pytest.raises(ParleyError):
            services.dispute_provide_info(actor=cast.buyer, dispute_id=dispute.pk, text="Я?")
        requested = dispute.state_changed_at
        traveller.move_to(requested + settings.DISPUTE_INFO_REQUEST_PERIOD)
        assert services.dispute_deadline_act(dispute_id=dispute.pk).action == "info_timeout"
        dispute.refresh_from_db()
        assert dispute.state == State.ESCALATED and dispute.info_requested_from == ""


@pytest.mark.django_db
def test_timeline_is_append_only(cast):
    dispute = open_dispute(cast)
    entry = dispute.timeline.get()
    entry.text = "rewritten"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert dispute.timeline.get().text == "Кружка пришла со сколом."


@pytest.mark.django_db
def test_one_open_dispute_per_order_is_a_database_constraint(cast):
    from django.db import IntegrityError, transaction

    dispute = open_dispute(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.create(
            order=cast.order, reason="other", description="x", state=State.NEGOTIATING,
            opened_at=dispute.opened_at, state_changed_at=dispute.opened_at,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_later_dispute_may_ask_only_what_is_left(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.DECIDED)
        Refund.objects.create(
            order=cast.order, dispute=dispute, amount=Decimal("900"), currency="RUB",
            cause="decision", created_at=dispute.closed_at,
        )  # fmt: skip
        with pytest.raises(ParleyError) as refused:
            open_dispute(cast, amount="100.01")
        assert refused.value.code == ErrorCode.CONFLICT
        assert open_dispute(cast, amount="100.00").state == State.AWAITING_SELLER
