"""Deadline warnings: tell people when half and when 90% of a deadline's time has passed.

Notifications knows nothing of disputes: the owner of a deadline (the disputes app) asks for
the warning moments, schedules its own job at each, re-checks there that the deadline still
stands, and calls ``deadline_warning_send``. A warning is sent at most once per deadline,
percentage and recipient, so the job and a sweep may both run, any number of times.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

from parley.accounts.models import User

from .services import notify


def deadline_warning_moments(
    started_at: datetime, deadline_at: datetime
) -> list[tuple[int, datetime]]:
    """(percent, moment) for every warning (``DEADLINE_WARNING_PERCENTS``, default 50 and 90)."""
    span = deadline_at - started_at
    return [
        (percent, started_at + span * percent / 100)
        for percent in sorted(settings.DEADLINE_WARNING_PERCENTS)
    ]


def deadline_warnings_due(started_at: datetime, deadline_at: datetime, at: datetime) -> list[int]:
    """The percentages whose moment has come by ``at`` while the deadline has not passed."""
    if at >= deadline_at:
        return []
    return [p for p, moment in deadline_warning_moments(started_at, deadline_at) if moment <= at]


def deadline_warning_send(
    *,
    recipients: Iterable[User | int],
    subject: str,
    deadline_at: datetime,
    percent: int,
    order: str,
    link: str,
) -> None:
    """Warn every recipient once that ``percent`` of the time to ``deadline_at`` has passed.

    ``subject`` names what the deadline belongs to (``"dispute:42"``); with the deadline and
    the percentage it makes the warning's once-only key. Call inside the caller's transaction:
    like every notification it is recorded after commit.
    """
    notify(
        recipients=recipients,
        kind="dispute_deadline",
        params={"order": order, "percent": percent, "deadline": deadline_at.isoformat()},
        link=link,
        dedupe_key=f"deadline:{subject}:{deadline_at.isoformat()}:{percent}",
    )
