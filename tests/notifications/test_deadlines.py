"""Deadline warnings at half and 90% of a deadline, once each, at their edges."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from parley.notifications.deadlines import (
    deadline_warning_moments,
    deadline_warning_send,
    deadline_warnings_due,
)
from parley.notifications.models import Notification
from parley.notifications.render import render_notification

pytestmark = pytest.mark.django_db

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)
DEADLINE = START + timedelta(days=5)


def test_moments_are_half_and_ninety_percent():
    assert deadline_warning_moments(START, DEADLINE) == [
        (50, START + timedelta(days=2, hours=12)),
        (90, START + timedelta(days=4, hours=12)),
    ]


@pytest.mark.parametrize(
    ("at", "due"),
    [
        (START + timedelta(days=2, hours=12) - timedelta(seconds=1), []),
        (START + timedelta(days=2, hours=12), [50]),
        (START + timedelta(days=4, hours=12) - timedelta(seconds=1), [50]),
        (START + timedelta(days=4, hours=12), [50, 90]),
        (DEADLINE, []),  # the deadline itself acts; no warning after it
    ],
)
def test_due_warnings_at_the_edges(at, due):
    assert deadline_warnings_due(START, DEADLINE, at) == due


def test_each_warning_is_sent_once_per_deadline_and_reads_in_both_languages(cast, committed):
    def warn(percent, deadline=DEADLINE):
        with committed():
            deadline_warning_send(
                recipients=[cast.buyer, cast.seller],
                subject="dispute:7",
                deadline_at=deadline,
                percent=percent,
                order="A-1",
                link="/disputes/7/",
            )

    warn(50)
    warn(50)
    warn(90)
    warn(50, DEADLINE + timedelta(days=10))  # a new deadline warns anew
    assert Notification.objects.filter(recipient=cast.buyer).count() == 3
    assert Notification.objects.filter(recipient=cast.seller).count() == 3
    note = Notification.objects.filter(recipient=cast.buyer).order_by("id").first()
    with translation.override("ru"):
        assert render_notification(note).title == ("Спор по заказу A-1: прошло 50% срока на ответ")
    with translation.override("en"):
        assert render_notification(note).title == (
            "Dispute on order A-1: 50% of the time to act has passed"
        )
