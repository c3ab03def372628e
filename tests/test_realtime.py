"""Events leave after commit, in the order they were published, and never after a rollback."""

import pytest
from django.db import transaction

from parley.core import realtime

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard(monkeypatch):
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "publish", lambda group, event: sent.append((group, event)))
    return sent


def test_a_batch_of_events_goes_after_commit_in_order_with_one_hook(heard):
    events = [("a", {"n": 1}), ("b", {"n": 2}), ("a", {"n": 3})]
    with transaction.atomic():
        realtime.publish_on_commit("first", {"n": 0})
        realtime.publish_all_on_commit(events)
        realtime.publish_all_on_commit([])  # nothing to send registers nothing
        hooks = len(transaction.get_connection().run_on_commit)
        assert heard == []
    assert hooks == 2
    assert heard == [("first", {"n": 0}), *events]


def test_a_rolled_back_batch_is_never_heard(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        realtime.publish_all_on_commit([("a", {"n": 1})])
        raise RuntimeError("undo")
    assert heard == []


def test_collecting_hands_back_what_the_batch_released():
    def work() -> str:
        with transaction.atomic():
            realtime.publish_all_on_commit([("a", {"n": 1}), ("b", {"n": 2})])
        return "done"

    result, events = realtime.collecting(work)
    assert (result, events) == ("done", [("a", {"n": 1}), ("b", {"n": 2})])
