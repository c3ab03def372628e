"""Races on PostgreSQL: row locks make exactly one of two conflicting actions win."""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from parley.core.errors import ErrorCode, ParleyError
from parley.disputes import services
from parley.disputes.models import Dispute, Refund, TimelineEntry
from parley.disputes.selectors import latest_offer
from parley.disputes.states import Role, State

from .disputes_kit import DAY, open_dispute

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="needs PostgreSQL row locks"),
]


def race(*jobs: Callable[[], object]) -> list[object]:
    """Start every job at once in its own thread (and connection); return results or errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = job()
        except ParleyError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_refunds_never_exceed_what_was_paid(cast):
    dispute = open_dispute(cast)

    def refund() -> Refund:
        with transaction.atomic():
            d = Dispute.objects.get(pk=dispute.pk)
            return services.refund_record(dispute=d, amount=Decimal("150.00"), cause="decision")

    results = race(*[refund] * 20)
    recorded = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, ParleyError)]
    assert len(recorded) == 6 and len(refused) == 14
    assert all(r.code == ErrorCode.CONFLICT for r in refused)
    total = sum(Refund.objects.filter(order=cast.order).values_list("amount", flat=True))
    assert total == Decimal("900.00") <= cast.order.total_paid


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_refunds_fill_the_order_exactly(cast):
    dispute = open_dispute(cast)

    def refund() -> Refund:
        with transaction.atomic():
            d = Dispute.objects.get(pk=dispute.pk)
            return services.refund_record(dispute=d, amount=Decimal("100.00"), cause="decision")

    results = race(*[refund] * 20)
    assert sum(isinstance(r, Refund) for r in results) == 10
    total = sum(Refund.objects.filter(order=cast.order).values_list("amount", flat=True))
    assert total == cast.order.total_paid


@pytest.mark.django_db(transaction=True)
def test_seller_accepts_while_buyer_withdraws_exactly_one_wins(cast):
    dispute = open_dispute(cast)
    offer = latest_offer(dispute, Role.BUYER)
    results = race(
        lambda: services.dispute_accept(
            actor=cast.seller, dispute_id=dispute.pk, proposal_id=offer.pk
        ),
        lambda: services.dispute_withdraw(actor=cast.buyer, dispute_id=dispute.pk),
    )
    errors = [r for r in results if isinstance(r, ParleyError)]
    assert len(errors) == 1 and errors[0].code == ErrorCode.CONFLICT
    dispute.refresh_from_db()
    assert dispute.state in (State.RESOLVED, State.WITHDRAWN)
    assert Refund.objects.count() == (1 if dispute.state == State.RESOLVED else 0)
    assert TimelineEntry.objects.filter(dispute=dispute).count() == 2


@pytest.mark.django_db(transaction=True)
def test_deadline_jobs_and_sweeps_run_concurrently_act_once(cast):
    import time_machine

    dispute = open_dispute(cast)
    with time_machine.travel(dispute.opened_at + 6 * DAY, tick=False):
        results = race(
            lambda: services.dispute_deadline_act(dispute_id=dispute.pk),
            lambda: services.dispute_deadline_act(dispute_id=dispute.pk),
            lambda: call_command("sweep_deadlines", stdout=open("/dev/null", "w")),  # noqa: SIM115
            lambda: call_command("sweep_deadlines", stdout=open("/dev/null", "w")),  # noqa: SIM115
        )
    assert sum(isinstance(r, TimelineEntry) for r in results) <= 1
    dispute.refresh_from_db()
    assert dispute.state == State.RESOLVED
    assert Refund.objects.count() == 1
    assert TimelineEntry.objects.filter(dispute=dispute, action="seller_timeout").count() == 1
