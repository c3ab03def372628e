"""The notification rules as durations, read from settings so tests can move them."""

from datetime import timedelta

from django.conf import settings


def email_away_after() -> timedelta:
    """E-mail only a recipient not seen on the site for this long."""
    return timedelta(minutes=settings.NOTIFY_EMAIL_AWAY_AFTER_MINUTES)


def email_quiet_period() -> timedelta:
    """Wait until a conversation has been quiet this long, then send one e-mail for it."""
    return timedelta(minutes=settings.NOTIFY_EMAIL_QUIET_MINUTES)


def email_retry_delay(attempt: int) -> timedelta:
    """Back off linearly between attempts to send."""
    return timedelta(seconds=settings.NOTIFY_EMAIL_RETRY_SECONDS * attempt)


def presence_resolution() -> timedelta:
    """Record "last seen" at most this often per user."""
    return timedelta(seconds=settings.PRESENCE_RESOLUTION_SECONDS)
