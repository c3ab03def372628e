"""Plain SQL for the few statements on the send path that run for every burst of messages.

The ORM builds a statement afresh on every call: for a one-row lookup that costs about twenty
times what SQLite spends running it, and a chat burst runs a dozen of them. The statements
written out here are short, use only parameters for values, and run on SQLite and PostgreSQL
alike (both suites run them).
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection


def placeholders(count: int) -> str:
    """``%s, %s, …``: one parameter per value of an ``IN (…)`` list."""
    return ", ".join(["%s"] * count)


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
