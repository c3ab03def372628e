"""What the notification tests share: a conversation and a way to run the job queue."""

from unittest.mock import patch

import pytest
from django.core.management import call_command

from parley.messaging import services as messaging


@pytest.fixture
def conversation(cast):
    return messaging.conversation_open(actor=cast.buyer, store=cast.store)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what services leave for after commit, as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def run_worker() -> None:
    """Run every due job once, as ``manage.py db_worker`` does in production.

    The worker recycles database connections between jobs; inside a test's transaction that
    would close the test's own connection (as Django's test runner knows, and avoids for
    requests), so recycling is switched off here and only here.
    """
    with patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*",
            verbosity=0,
        )  # fmt: skip
