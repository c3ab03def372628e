"""Reply reminders at the 24 h and 48 h edges (frozen clock), once each, never while the
store's away notice covers the moment, from the job and from the sweep command."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from parley.messaging import services as messaging
from parley.messaging.reminders import reply_reminders_sweep
from parley.notifications.models import Notification

from ..factories import MembershipFactory, UserFactory
from .conftest import run_worker

pytestmark = pytest.mark.django_db

# 09:00 UTC = 12:00 in Moscow, the default zone in which away dates are read.
ASKED = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)


def reminders():
    return sorted(
        (n.recipient.username, n.params["hours"])
        for n in Notification.objects.filter(kind="reply_reminder")
    )


@pytest.fixture
def asked(cast, conversation, committed):
    """The buyer asks at ASKED and asks again an hour later; nobody answers."""
    with time_machine.travel(ASKED, tick=False) as clock:
        with committed():
            messaging.message_send(actor=cast.buyer, conversation=conversation, body="Где заказ?")
        clock.shift(timedelta(hours=1))
        with committed():
            messaging.message_send(actor=cast.buyer, conversation=conversation, body="Ау?")
    return conversation


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (timedelta(hours=24) - timedelta(seconds=1), []),
        (timedelta(hours=24), [24]),
        (timedelta(hours=48) - timedelta(seconds=1), [24]),
        (timedelta(hours=48), [24, 48]),
    ],
)
def test_sweep_edges_each_level_once(cast, asked, committed, after, expected):
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff)
    edges = [timedelta(hours=h) + timedelta(seconds=s) for h in (24, 48) for s in (-1, 0)]
    for edge in [e for e in edges if e <= after]:
        with time_machine.travel(ASKED + edge, tick=False), committed():
            reply_reminders_sweep()
            reply_reminders_sweep()  # again: nothing new
    assert reminders() == sorted(
        [("seller", h) for h in expected] + [("staff", h) for h in expected]
    )


def test_first_sweep_late_sends_only_the_highest_level(cast, asked, committed):
    with time_machine.travel(ASKED + timedelta(hours=60), tick=False), committed():
        assert reply_reminders_sweep() == 1
    assert reminders() == [("seller", 48)]


def test_the_reminder_counts_from_the_first_unanswered_message(cast, asked, committed):
    with time_machine.travel(ASKED + timedelta(hours=24), tick=False), committed():
        reply_reminders_sweep()
    note = Notification.objects.get(kind="reply_reminder")
    assert note.link.endswith("#m-1")
    assert note.params == {"buyer": "Buyer", "hours": 24, "store": cast.store.name}


def test_an_answer_stops_the_reminders_and_a_new_question_restarts_them(cast, asked, committed):
    with time_machine.travel(ASKED + timedelta(hours=5), tick=False) as clock:
        with committed():
            messaging.message_send(actor=cast.seller, conversation=asked, body="Едет")
        clock.move_to(ASKED + timedelta(hours=49))
        with committed():
            reply_reminders_sweep()
        assert reminders() == []
        with committed():
            messaging.message_send(actor=cast.buyer, conversation=asked, body="Не доехал")
        clock.shift(timedelta(hours=24))
        with committed():
            reply_reminders_sweep()
    assert reminders() == [("seller", 24)]
    assert Notification.objects.get(kind="reply_reminder").link.endswith("#m-4")


@pytest.mark.parametrize(
    ("away_until", "expected"),
    [
        (date(2026, 3, 3), []),  # 24 h falls on 3 March (Moscow): covered
        (date(2026, 3, 2), [24]),  # back by then
    ],
)
def test_away_notice_covering_the_moment_sends_nothing(
    cast, asked, committed, away_until, expected
):
    cast.store.away_message = "В отпуске"
    cast.store.away_until = away_until
    cast.store.save()
    with time_machine.travel(ASKED + timedelta(hours=24), tick=False), committed():
        reply_reminders_sweep()
    assert [h for _, h in reminders()] == expected


def test_the_scheduled_jobs_remind_at_24_and_48_hours(cast, asked, committed):
    with time_machine.travel(ASKED + timedelta(hours=24), tick=False) as clock:
        with committed():
            run_worker()
        assert reminders() == [("seller", 24)]
        with committed():
            run_worker()
        clock.move_to(ASKED + timedelta(hours=48))
        with committed():
            run_worker()
            run_worker()
    assert reminders() == [("seller", 24), ("seller", 48)]


def test_the_sweep_command_is_safe_to_repeat(cast, asked, capsys, committed):
    with time_machine.travel(ASKED + timedelta(hours=30), tick=False), committed():
        call_command("send_reply_reminders")
        call_command("send_reply_reminders")
    assert reminders() == [("seller", 24)]
    assert "Reminders due (each sent once): 1" in capsys.readouterr().out
