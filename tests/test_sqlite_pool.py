"""SQLite connections are reused, never across a replaced file or an open transaction."""

import sqlite3

import pytest
from django.conf import settings
from django.db import connection

from parley.core.sqlite.base import POOL_SIZE, DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


def wrapper_for(path) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "NAME": str(path), "TEST": {}}
    return DatabaseWrapper(settings, alias="pool-test")


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A database file of the test's own, outside the test database."""
    path = tmp_path / "pool.sqlite3"
    with django_db_blocker.unblock():
        yield path
    for raw, _ in DatabaseWrapper._pools.pop(str(path), []):
        raw.close()


def test_a_closed_connection_is_taken_again_with_its_pragmas(database):
    first = wrapper_for(database)
    first.ensure_connection()
    raw = first.connection
    first.close()
    second = wrapper_for(database)
    with second.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert second.connection is raw
    second.close()


def test_a_connection_keeps_statement_journals_in_memory_and_checkpoints_seldom(database):
    """A batch of messages is one INSERT of many rows, whose statement journal would
    otherwise be a temporary file created and deleted per batch."""
    wrapper = wrapper_for(database)
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        assert cursor.fetchone()[0] == 2  # MEMORY
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == settings.SQLITE_CHECKPOINT_PAGES > 1000
    wrapper.close()


def test_foreign_keys_left_off_come_back_on(database):
    """A migration turns them off on its connection; the next user must have them on."""
    first = wrapper_for(database)
    first.ensure_connection()
    first.connection.execute("PRAGMA foreign_keys = OFF")
    first.close()
    second = wrapper_for(database)
    with second.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    second.close()


def test_a_connection_taken_again_keeps_its_prepared_statements(database):
    """Setting a pragma that is already on would make SQLite prepare every statement anew."""
    statement = "SELECT count(*) FROM sqlite_master WHERE name = %s"

    def run() -> DatabaseWrapper:
        wrapper = wrapper_for(database)
        with wrapper.cursor() as cursor:
            cursor.execute(statement, ["t"])
        return wrapper

    run().close()
    again = run()
    try:
        prepared = again.connection.execute(
            "SELECT reprep, run FROM sqlite_stmt WHERE sql LIKE 'SELECT count(*) FROM sqlite_m%'"
        ).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite does not list its statements (SQLITE_ENABLE_STMTVTAB)")
    assert prepared == [(0, 2)]
    again.close()


def test_a_connection_taken_again_still_has_the_search_function(database):
    run = "SELECT parley_search_stems('Где мои заказы?')"
    first = wrapper_for(database)
    with first.cursor() as cursor:
        cursor.execute(run)
    first.close()
    second = wrapper_for(database)
    with second.cursor() as cursor:
        cursor.execute(run)
        assert cursor.fetchone()[0] == "где мо заказ"
    assert second.taken_from_pool
    second.close()


def test_a_replaced_file_or_an_open_transaction_is_not_reused(database):
    first = wrapper_for(database)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    old = first.connection
    first.close()
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    second = wrapper_for(database)
    with second.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'")
        assert cursor.fetchone()[0] == 0
    assert second.connection is not old
    second.connection.execute("BEGIN")
    busy = second.connection
    second.close()
    assert busy not in [raw for raw, _ in DatabaseWrapper._pools[str(database)]]


def test_the_pool_keeps_a_few(database):
    wrappers = [wrapper_for(database) for _ in range(POOL_SIZE + 3)]
    for wrapper in wrappers:
        wrapper.ensure_connection()
    for wrapper in wrappers:
        wrapper.close()
    assert len(DatabaseWrapper._pools[str(database)]) == POOL_SIZE


def test_placeholders_are_rewritten_alike_the_first_time_and_from_memory(database):
    """The remembered rewrite of ``%s`` gives what Django's does: the first time and again,
    a literal ``%%`` kept as ``%``, and named parameters still by name."""
    wrapper = wrapper_for(database)
    with wrapper.cursor() as cursor:
        for _ in range(2):
            cursor.execute("SELECT %s, '100%%', %s", [1, "два"])
            assert cursor.fetchone() == (1, "100%", "два")
        cursor.execute("SELECT %(number)s, %(word)s", {"number": 3, "word": "три"})
        assert cursor.fetchone() == (3, "три")
        cursor.execute("CREATE TABLE numbers (n INTEGER)")
        cursor.executemany("INSERT INTO numbers VALUES (%s)", [[4], [5]])
        cursor.execute("SELECT n FROM numbers ORDER BY n")
        assert cursor.fetchall() == [(4,), (5,)]
    wrapper.close()
