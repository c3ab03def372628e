"""The demo has a dispute in each state the story needs, and loading twice adds nothing."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from parley.disputes.models import Dispute, Refund, TimelineEntry
from parley.disputes.rules import escalation_opens_at
from parley.disputes.states import State

MOMENT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_demo_disputes_cover_every_state_and_reload_cleanly():
    with time_machine.travel(MOMENT, tick=False):
        call_command("load_demo", stdout=StringIO())
        counts = (Dispute.objects.count(), TimelineEntry.objects.count(), Refund.objects.count())
        call_command("load_demo", stdout=StringIO())
    assert (Dispute.objects.count(), TimelineEntry.objects.count(), Refund.objects.count()) == (
        counts
    )
    by_order = {d.order.number: d for d in Dispute.objects.select_related("order")}
    assert by_order["PD-1006"].state == State.NEGOTIATING
    old = by_order["PD-1007"]
    assert old.state == State.NEGOTIATING and escalation_opens_at(old.opened_at) <= MOMENT
    assert by_order["PD-1008"].state == State.ESCALATED
    decided = by_order["PD-1009"]
    assert decided.state == State.DECIDED and decided.decision.outcome == "partial_refund"
    assert decided.refunds.get().amount == decided.decision.refund_amount
    waiting = by_order["PD-1010"]
    assert waiting.state == State.AWAITING_RETURN and waiting.deadline_at > MOMENT
    assert "PD-1003" not in by_order
    for dispute in by_order.values():
        assert dispute.opened_at >= dispute.order.shipped_at + timedelta(days=6)
        assert dispute.opened_at <= dispute.order.protection_ends_at
