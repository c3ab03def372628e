"""The tables every chat message writes keep one index per lookup, no more: each extra index
costs each message another write."""

import pytest
from django.db import connection

from parley.messaging.models import Message, ReadMarker
from parley.notifications.models import Notification

COVERED = [
    (Message, "conversation_id"),
    (ReadMarker, "conversation_id"),
    (Notification, "recipient_id"),
]


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: c["columns"] for name, c in constraints.items() if c["index"] or c["unique"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "column"), COVERED)
def test_a_foreign_key_is_looked_up_through_an_index_that_starts_with_it(model, column):
    indexes = _indexes(model)
    assert any(columns[0] == column and len(columns) > 1 for columns in indexes.values())
    # An index of the column alone is there only when declared, for a condition of its own
    # (the unread notifications, say).
    declared = {index.name for index in model._meta.indexes}
    assert [column] not in [columns for name, columns in indexes.items() if name not in declared]
