"""Django's SQLite backend with a pool of open connections per database file.

Under ASGI each request runs in its own context and so gets its own connection, whatever
CONN_MAX_AGE says; opening one cost about 0.7 ms of every request, most of it SQLite reading
the schema at the first statement. Here closing a connection puts it back in a small pool
(the settings set CONN_MAX_AGE to 0, so Django closes a request's connection when the request
ends) and the next request takes it. A connection is not pooled when it was left inside a
transaction, nor when the file was replaced since it was opened (tests recreate theirs);
in-memory databases are never pooled.
"""

import os
import sqlite3
from typing import Any, ClassVar

from django.db.backends.sqlite3 import base

POOL_SIZE = 8

FileId = tuple[int, int] | None


class DatabaseWrapper(base.DatabaseWrapper):
    _pools: ClassVar[dict[str, list[tuple[sqlite3.Connection, FileId]]]] = {}
    _file_id: FileId = None

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
                    connection.execute("PRAGMA foreign_keys = ON")
                    self._file_id = file_id
                    return connection
                connection.close()
        connection = super().get_new_connection(conn_params)
        self._file_id = self._database_file()
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
