"""The database side of search, per vendor.

SQLite: an FTS5 table of stems, filled by a trigger on every new message; the trigger calls
``parley_search_stems``, a Python function registered on each connection. PostgreSQL: a GIN
index on ``to_tsvector('russian', body)`` (with «ё» read as «е»), which the database keeps
current by itself. Either way a message is searchable the moment its transaction commits.
"""

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from .text import index_stems, query_stems, query_text

# The same expression as the index in migration 0001, so PostgreSQL uses it.
PG_MATCH = (
    "to_tsvector('russian'::regconfig, translate(\"messaging_message\".\"body\", 'ёЁ', 'еЕ'))"
    " @@ plainto_tsquery('russian'::regconfig, translate(%s, 'ёЁ', 'еЕ'))"
)
SQLITE_MATCH = "SELECT rowid FROM search_message_fts WHERE search_message_fts MATCH %s"


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
    fts = " ".join(f'"{s}"' for s in stems)
    return Q(id__in=RawSQL(SQLITE_MATCH, [fts]))  # noqa: S611
