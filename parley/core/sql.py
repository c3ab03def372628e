"""Plain SQL for the few statements on the send path that run for every burst of messages.

The ORM builds a statement afresh on every call: for a one-row lookup that costs about twenty
times what SQLite spends running it, and a chat burst runs a dozen of them. The statements
written out here are short, use only parameters for values, and run on SQLite and PostgreSQL
alike (both suites run them).
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, connections
from django.db.models import Model


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


def insert(objects: Sequence[Model]) -> None:
    """Insert new rows of one model in one statement and give each object its id.

    What ``bulk_create`` does for plain new rows (foreign keys already saved, no conflicts),
    without the query compiler, which spent more time preparing a burst's values than the
    database spent storing them.
    """
    if not objects:
        return
    meta = objects[0]._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    database = connections[connection.alias]  # the proxy looks it up again on every use
    params = []
    for obj in objects:
        for field in fields:
            value = field.pre_save(obj, True)
            # NULL needs no preparing, and most rows leave several columns empty
            params.append(None if value is None else field.get_db_prep_save(value, database))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    rows = ", ".join([f"({placeholders(len(fields))})"] * len(objects))
    query = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {rows}"  # noqa: S608
        f" RETURNING {quote(meta.pk.column)}"
    )
    for obj, (key,) in zip(objects, fetch(query, params), strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
