"""Plain SQL for the few statements on the send path that run for every burst of messages.

The ORM builds a statement afresh on every call: for a one-row lookup that costs about twenty
times what SQLite spends running it, and a chat burst runs a dozen of them. The statements
written out here are short, use only parameters for values, and run on SQLite and PostgreSQL
alike (both suites run them).
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, connections
from django.db.models import (
    BooleanField,
    CharField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)


def placeholders(count: int) -> str:
    """``%s, %s, …``: one parameter per value of an ``IN (…)`` list."""
    return ", ".join(["%s"] * count)


def true_literal() -> str:
    """TRUE as this database writes it in a partial index's condition (SQLite: 1).

    A statement that should use such an index writes the value out: given as a parameter,
    SQLite cannot know the index applies until the value is bound, and prepares the statement
    anew at every run to find out."""
    return "1" if connection.vendor == "sqlite" else "TRUE"


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def readers(model: type[Model], names: Sequence[str]) -> list[Callable[[Any], Any]]:
    """For each named field, what turns the driver's value of its column into the field's
    value, as the ORM's converters would (SQLite hands back a time as text and a flag as 0
    or 1, JSON comes as text). Only for the columns a statement reads, not a model's all."""
    database = connections[connection.alias]
    return [
        _converting(converters, column, database) if converters else _as_is
        for column, converters in _converters(model, tuple(names), connection.alias)
    ]


@functools.lru_cache(maxsize=64)
def _converters(model: type[Model], names: tuple[str, ...], alias: str) -> list[tuple[Any, list]]:
    """Each field's column and converters, looked up once per database: finding them cost
    more than a history page's conversions."""
    database = connections[alias]
    found = []
    for name in names:
        column = model._meta.get_field(name).get_col(model._meta.db_table)
        converters = database.ops.get_db_converters(column) + column.get_db_converters(database)
        found.append((column, converters))
    return found


def _as_is(value: Any) -> Any:
    return value


def _converting(converters: list[Callable], column: Any, database: Any) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, column, database)
        return value

    return convert


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
    rows = [[field.pre_save(obj, True) for field in fields] for obj in objects]
    keys = insert_rows(meta.model, [field.attname for field in fields], rows)
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(
    model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert rows given as the values of the named fields (``attname``s, in that order, and
    final: nothing fills a default or ``auto_now``) in one statement; their ids, in order.

    For a burst of rows that need no model object (a message's notifications)."""
    if not rows:
        return []
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    database = connections[connection.alias]  # the proxy looks it up again on every use
    # A text, a whole number or a flag bound for a column of that kind goes to the driver as
    # it is (JSON, say, would encode it); NULL needs no preparing either. Most of a message's
    # or a notification's values are those, and preparing each through its field cost more
    # than the database's insert.
    kinds = [_plain_type(field) for field in fields]
    params = []
    for row in rows:
        for field, kind, value in zip(fields, kinds, row, strict=True):
            if value is None or type(value) is kind:
                params.append(value)
            else:
                params.append(field.get_db_prep_save(value, database))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join([f"({placeholders(len(fields))})"] * len(rows))
    query = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
        f" RETURNING {quote(meta.pk.column)}"
    )
    return [key for (key,) in fetch(query, params)]


def _plain_type(field: Field) -> type | None:
    """The Python type a column of this field stores just as the driver passes it, if any."""
    if isinstance(field, ForeignKey):
        return _plain_type(field.target_field)
    if isinstance(field, BooleanField):
        return bool
    if isinstance(field, IntegerField):
        return int
    if isinstance(field, (CharField, TextField)):
        return str
    return None
