"""The numbers messaging promises, read from settings so they are named in one place."""

from datetime import timedelta

from django.conf import settings


def message_max_length() -> int:
    return settings.MESSAGE_MAX_LENGTH


def reply_promise() -> timedelta:
    """The reply time a store is measured against ('answered within 24 hours')."""
    return timedelta(hours=settings.REPLY_PROMISE_HOURS)


def reply_stats_window() -> timedelta:
    return timedelta(days=settings.REPLY_STATS_WINDOW_DAYS)
