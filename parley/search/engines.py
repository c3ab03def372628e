"""The database side of search, per vendor.

SQLite: an FTS5 table of stems, filled by a trigger on every new message; the trigger calls
``parley_search_stems``, a Python function registered on each connection. PostgreSQL: a GIN
index on ``to_tsvector('russian', body)`` (with «ё» read as «е»), which the database keeps
current by itself. Either way a message is searchable the moment its transaction commits.
"""

from typing import Any

from django.db import connection, transaction
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
PG_INDEX = "search_message_body_ru"
# A query for a word outside the index's statistics reads at most this many ids from it.
PG_RARE_MAX = 5000


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Once per SQLite connection: defining a function again makes SQLite prepare every
    statement anew, and a connection taken from the pool is announced as new each time."""
    if connection.vendor == "sqlite" and not getattr(connection, "taken_from_pool", False):
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
        rare = _pg_rare_matches(query_text(query))
        if rare is not None:
            return messages.filter(pk__in=rare).order_by("-id")
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


_PG_WORDS_KNOWN = """
    SELECT COALESCE(bool_and(word = ANY(s.most_common_elems::text::text[])), false)
    FROM unnest(tsvector_to_array(
        to_tsvector('russian'::regconfig, translate(%s, 'ёЁ', 'еЕ'))
    )) AS word
    JOIN pg_stats s ON s.tablename = %s
"""


def _pg_rare_matches(text: str) -> RawSQL | None:
    """The ids matching ``text`` when one of its words is rare, else None.

    PostgreSQL finds a page of the newest matches by walking the messages newest first and
    testing each: right for a common word, whose frequency its statistics of the GIN index
    know. For a word they do not list it guesses hundreds of matches, and for a rare or
    misspelt one the walk reads the whole table, computing every message's tsvector (half a
    second at 100,000 messages). Such a word's matches are read from the index instead
    (bitmap scans only: the index gives no order), at most PG_RARE_MAX of them."""
    with connection.cursor() as cursor:
        cursor.execute(_PG_WORDS_KNOWN, [text, PG_INDEX])
        if cursor.fetchone()[0]:
            return None
        sql = f"SELECT id FROM {Message._meta.db_table} WHERE {PG_MATCH} LIMIT %s"  # noqa: S608
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            try:
                cursor.execute(sql, [text, PG_RARE_MAX])
                ids = [row[0] for row in cursor.fetchall()]
            finally:
                # SET LOCAL lasts to the end of the outermost transaction, which may go on.
                cursor.execute("RESET enable_seqscan")
                cursor.execute("RESET enable_indexscan")
    if len(ids) >= PG_RARE_MAX:
        return None
    # One array parameter rather than thousands of placeholders.
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])
