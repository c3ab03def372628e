"""The database side of search, per vendor.

SQLite: an FTS5 table of stems, filled by a trigger on every new message; the trigger calls
``parley_search_stems``, a Python function registered on each connection. PostgreSQL: a GIN
index on ``to_tsvector('russian', body)`` (with «ё» read as «е»), which the database keeps
current by itself. Either way a message is searchable the moment its transaction commits.
"""

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from parley.messaging.models import Message

from .text import index_stems, query_stems, query_text

# The same expression as the index in migration 0001, so PostgreSQL uses it.
PG_MATCH = (
    "to_tsvector('russian'::regconfig, translate(\"messaging_message\".\"body\", 'ёЁ', 'еЕ'))"
    " @@ plainto_tsquery('russian'::regconfig, translate(%s, 'ёЁ', 'еЕ'))"
)
SQLITE_MATCH = "SELECT rowid FROM search_message_fts WHERE search_message_fts MATCH %s"
SQLITE_TABLE = "search_message_fts"


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "parley_search_stems", 1, index_stems, deterministic=True
        )


def matching(query: str) -> Q | None:
    """A filter on messages matching every word of the query; None when it has no words."""
    if connection.vendor == "postgresql":
        text = query_text(query)
        if not text:
            return None
        # Constant SQL; the query travels as a parameter.
        return Q(RawSQL(PG_MATCH, [text], output_field=BooleanField()))  # noqa: S611
    stems = query_stems(query)
    if not stems:
        return None
    return Q(id__in=RawSQL(SQLITE_MATCH, [_fts_query(stems)]))  # noqa: S611


def _fts_query(stems: list[str]) -> str:
    return " ".join(f'"{s}"' for s in stems)


def newest_matching(
    messages: QuerySet[Message], query: str, *, before: int | None = None
) -> QuerySet[Message] | None:
    """``messages`` that match every word of the query, newest first, with ids below
    ``before`` when given; None when the query has no words.

    On SQLite the FTS5 table is joined and its rowids (the messages' ids) give the order, so
    the index is read newest first and stops when the page is full. ``matching``'s
    ``id IN (...)`` builds the list of every match before the first row comes back: for a
    common word, a quarter of the messages. ``extra`` because the ORM cannot join a table
    it has no model for.
    """
    if connection.vendor == "postgresql":
        condition = matching(query)
        if condition is None:
            return None
        if before is not None:
            messages = messages.filter(pk__lt=before)
        return messages.filter(condition).order_by("-id")
    stems = query_stems(query)
    if not stems:
        return None
    where = [f"{SQLITE_TABLE}.rowid = {Message._meta.db_table}.id", f"{SQLITE_TABLE} MATCH %s"]
    params: list[object] = [_fts_query(stems)]
    if before is not None:
        # On the index's rowid, so that a later page starts reading where the last one ended.
        where.append(f"{SQLITE_TABLE}.rowid < %s")
        params.append(before)
    # Constant SQL; the query travels as a parameter.
    return messages.extra(  # noqa: S610
        tables=[SQLITE_TABLE],
        where=where,
        params=params,
        select={"match_rowid": f"{SQLITE_TABLE}.rowid"},
    ).order_by("-match_rowid")

