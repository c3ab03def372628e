"""Deadlines act by themselves: a job scheduled for the deadline, and a sweep as a safety net."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from parley.disputes.models import Refund, TimelineEntry
from parley.disputes.states import State

from .disputes_kit import DAY, open_dispute


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", stdout=io.StringIO())


def deadline_jobs():
    return DBTaskResult.objects.filter(task_path="parley.disputes.tasks.dispute_deadline")


@pytest.mark.django_db
def test_opening_schedules_the_seller_deadline_job(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_dispute(cast)
    job = deadline_jobs().get()
    assert job.run_after == dispute.opened_at + 5 * DAY == dispute.deadline_at
    assert job.args_kwargs["kwargs"] == {"dispute_id": dispute.pk}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_the_job_acts_at_its_deadline_and_a_second_run_does_nothing(
    cast, django_capture_on_commit_callbacks
):
    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            dispute = open_dispute(cast)
        traveller.move_to(dispute.deadline_at - timedelta(seconds=1))
        run_worker()
        dispute.refresh_from_db()
        assert dispute.state == State.AWAITING_SELLER
        traveller.move_to(dispute.deadline_at)
        run_worker()
        dispute.refresh_from_db()
        assert dispute.state == State.RESOLVED
        from parley.disputes.tasks import dispute_deadline

        dispute_deadline.enqueue(dispute_id=dispute.pk)
        run_worker()
        assert Refund.objects.count() == 1
        assert TimelineEntry.objects.filter(action="seller_timeout").count() == 1
        assert set(deadline_jobs().values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db
def test_a_stale_job_does_nothing_when_the_state_moved_on(cast):
    from parley.disputes import services
    from parley.disputes.tasks import dispute_deadline

    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        dispute = open_dispute(cast)
        services.dispute_reject(actor=cast.seller, dispute_id=dispute.pk, reason="Нет.")
        traveller.move_to(dispute.opened_at + 6 * DAY)
        dispute_deadline.call(dispute_id=dispute.pk)
        dispute.refresh_from_db()
        assert dispute.state == State.NEGOTIATING
        assert not Refund.objects.exists()


@pytest.mark.django_db
def test_sweep_carries_out_overdue_deadlines_once(cast):
    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        dispute = open_dispute(cast)
        out = io.StringIO()
        call_command("sweep_deadlines", stdout=out)
        assert out.getvalue().strip().endswith(": 0")
        traveller.move_to(dispute.opened_at + 5 * DAY)
        for expected in ("1", "0", "0"):
            out = io.StringIO()
            call_command("sweep_deadlines", stdout=out)
            assert out.getvalue().strip().endswith(f": {expected}")
        dispute.refresh_from_db()
        assert dispute.state == State.RESOLVED and Refund.objects.count() == 1
