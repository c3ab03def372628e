"""The notification rules as durations, read from settings so tests can move them."""

from datetime import datetime, timedelta

from django.conf import settings


def email_away_after() -> timedelta:
    """E-mail only a recipient not seen on the site for this long."""
    return timedelta(minutes=settings.NOTIFY_EMAIL_AWAY_AFTER_MINUTES)


def email_quiet_period() -> timedelta:
    """Wait until a conversation has been quiet this long, then send one e-mail for it."""
    return timedelta(minutes=settings.NOTIFY_EMAIL_QUIET_MINUTES)


# E-mail jobs of one conversation are scheduled at most once per slot: a message in a slot that
# already has one waiting adds no job, so a chat burst costs one job a minute, not one a message.
# The e-mail leaves at most one slot after the quiet period.
EMAIL_JOB_SLOT = timedelta(minutes=1)


def email_job_slot(moment: datetime) -> tuple[datetime, datetime]:
    """The slot ``moment`` falls in: its start, and when its e-mail job runs."""
    seconds = EMAIL_JOB_SLOT.total_seconds()
    start = datetime.fromtimestamp(moment.timestamp() // seconds * seconds, tz=moment.tzinfo)
    return start, start + EMAIL_JOB_SLOT + email_quiet_period()


def email_retry_delay(attempt: int) -> timedelta:
    """Back off linearly between attempts to send."""
    return timedelta(seconds=settings.NOTIFY_EMAIL_RETRY_SECONDS * attempt)


def presence_resolution() -> timedelta:
    """Record "last seen" at most this often per user."""
    return timedelta(seconds=settings.PRESENCE_RESOLUTION_SECONDS)
