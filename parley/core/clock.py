"""One source of 'now' so rules can be tested at their edges with a frozen clock."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
