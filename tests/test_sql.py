"""The plain-SQL helpers of the send path: the same rows and ids the ORM would give."""

from datetime import UTC, datetime

from parley.core import sql
from parley.notifications.models import Notification

from .factories import UserFactory


def test_insert_stores_every_value_and_gives_each_object_its_own_id(db):
    first, second = UserFactory(), UserFactory()
    moment = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    rows = [
        Notification(recipient=user, kind="message_new", params={"text": f"«{n}» ✓"},
                     link=f"/messages/{n}/", group_key="g", created_at=moment,
                     email_wanted=n == 0)
        for n, user in enumerate((first, second, first))
    ]  # fmt: skip
    sql.insert(rows)
    assert all(not row._state.adding for row in rows)
    stored = {n.pk: n for n in Notification.objects.all()}
    assert sorted(stored) == sorted(row.pk for row in rows)
    for n, row in enumerate(rows):
        again = stored[row.pk]
        assert (again.recipient_id, again.params, again.link, again.created_at) == (
            row.recipient_id, {"text": f"«{n}» ✓"}, f"/messages/{n}/", moment
        )  # fmt: skip
        assert again.email_wanted is (n == 0) and again.read_at is None and again.dedupe_key is None


def test_insert_of_nothing_runs_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        sql.insert([])


def test_insert_encodes_a_plain_text_or_number_bound_for_a_json_column(db):
    """Texts and numbers go to the driver as they are, except into JSON, which encodes them."""
    user = UserFactory()
    moment = datetime(2030, 5, 6, tzinfo=UTC)
    rows = [
        Notification(recipient=user, kind="message_new", params=value, link="/", group_key="g",
                     created_at=moment)
        for value in ("just text", 7, True, [1, "два"])
    ]  # fmt: skip
    sql.insert(rows)
    assert [Notification.objects.get(pk=row.pk).params for row in rows] == [
        "just text", 7, True, [1, "два"]
    ]  # fmt: skip


def test_readers_convert_a_row_as_the_orm_does(db):
    """SQLite hands back a time as text, a flag as 0 or 1 and JSON as text; PostgreSQL some
    of them ready. Either way the readers give what the model's fields hold."""
    user = UserFactory()
    moment = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    row = Notification(recipient=user, kind="message_new", params={"text": "«да» ✓", "n": [1]},
                       link="/", group_key="g", created_at=moment, email_wanted=True)  # fmt: skip
    sql.insert([row])
    names = ("id", "params", "created_at", "email_wanted", "read_at")
    table = Notification._meta.db_table
    statement = f"SELECT {', '.join(names)} FROM {table} WHERE id = %s"  # noqa: S608 (names)
    (fetched,) = sql.fetch(statement, [row.pk])
    read = sql.readers(Notification, names)
    values = [convert(value) for convert, value in zip(read, fetched, strict=True)]
    assert values == [row.pk, {"text": "«да» ✓", "n": [1]}, moment, True, None]
    assert values[3] is True


def test_insert_rows_takes_final_values_by_attname_and_answers_the_ids_in_order(db):
    first, second = UserFactory(), UserFactory()
    moment = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    names = ("recipient_id", "kind", "params", "link", "group_key", "created_at", "email_wanted")
    rows = [
        (user.pk, "message_new", {"text": f"«{n}»"}, f"/m/{n}/", "g", moment, n == 1)
        for n, user in enumerate((second, first, second))
    ]
    ids = sql.insert_rows(Notification, names, rows)
    assert len(set(ids)) == 3
    for n, (key, row) in enumerate(zip(ids, rows, strict=True)):
        stored = Notification.objects.get(pk=key)
        assert tuple(getattr(stored, name) for name in names) == row, n
        assert stored.read_at is None and stored.dedupe_key is None


def test_insert_rows_of_nothing_runs_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sql.insert_rows(Notification, ("kind",), []) == []
