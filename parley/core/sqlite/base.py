"""Django's SQLite backend with a pool of open connections per database file.

Under ASGI each request runs in its own context and so gets its own connection, whatever
CONN_MAX_AGE says; opening one cost about 0.7 ms of every request, most of it SQLite reading
the schema at the first statement. Here closing a connection puts it back in a small pool
(the settings set CONN_MAX_AGE to 0, so Django closes a request's connection when the request
ends) and the next request takes it. A connection is not pooled when it was left inside a
transaction, nor when the file was replaced since it was opened (tests recreate theirs);
in-memory databases are never pooled.

Its cursors also remember how they rewrote a statement's placeholders for sqlite3 (Django's
``%s`` to ``?``, a regular expression over the whole text, every time): the chat's writes are a
few statements repeated, and for a batch's long inserts the rewrite cost more than SQLite did.
"""

import functools
import os
import sqlite3
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db.backends.sqlite3 import base

POOL_SIZE = 8

FileId = tuple[int, int] | None


# Distinct statement texts remembered; a batch's inserts differ by their number of rows.
STATEMENTS_REMEMBERED = 512


@functools.lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _qmark_style(query: str) -> str:
    return base.SQLiteCursorWrapper.convert_query(None, query)  # uses nothing of the cursor


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Sequence[str] | None = None) -> str:
        if param_names is None:
            return _qmark_style(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    _pools: ClassVar[dict[str, list[tuple[sqlite3.Connection, FileId]]]] = {}
    _file_id: FileId = None
    # Whether the open connection came from the pool: Django announces it as created all the
    # same, and whoever adds functions to it at that signal need not add them again.
    taken_from_pool = False

    def _database_file(self) -> FileId:
        try:
            found = os.stat(self.settings_dict["NAME"])
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def _pool(self) -> list[tuple[sqlite3.Connection, FileId]]:
        return self._pools.setdefault(str(self.settings_dict["NAME"]), [])

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        if not self.is_in_memory_db():
            pool, file_id = self._pool(), self._database_file()
            while pool:
                try:
                    connection, opened_on = pool.pop()
                except IndexError:  # another thread took the last one
                    break
                if opened_on == file_id and file_id is not None:
                    # A migration may have left it off; everything else is per statement.
                    # Only set when off: setting it makes SQLite prepare every statement
                    # anew, which cost a chat batch or a request more than its queries.
                    if not connection.execute("PRAGMA foreign_keys").fetchone()[0]:
                        connection.execute("PRAGMA foreign_keys = ON")
                    self._file_id = file_id
                    self.taken_from_pool = True
                    return connection
                connection.close()
        connection = super().get_new_connection(conn_params)
        self._file_id = self._database_file()
        self.taken_from_pool = False
        return connection

    def _close(self) -> None:
        connection = self.connection
        pool = self._pool()
        if (
            connection is None
            or self.is_in_memory_db()
            or connection.in_transaction
            or len(pool) >= POOL_SIZE
        ):
            super()._close()
            return
        pool.append((connection, self._file_id))

    def create_cursor(self, name: str | None = None) -> CursorWrapper:
        return self.connection.cursor(factory=CursorWrapper)
