"""The embedded channel layer: expiry as in channels, but not a scan of every socket per event."""

import time

import pytest
from channels.layers import InMemoryChannelLayer

from parley.core import layers
from parley.core.layers import ProcessChannelLayer


@pytest.fixture
def clock(monkeypatch):
    """Both clocks the layer reads: monotonic for its cleaning, wall time for expiry."""
    moment = [1000.0]
    monkeypatch.setattr(layers.time, "monotonic", lambda: moment[0])
    monkeypatch.setattr(time, "time", lambda: moment[0])
    return moment


def test_cleaning_runs_at_most_once_a_second(clock, monkeypatch):
    layer = ProcessChannelLayer()
    scans = []
    original = InMemoryChannelLayer._clean_expired
    monkeypatch.setattr(
        InMemoryChannelLayer, "_clean_expired", lambda self: scans.append(1) or original(self)
    )
    layer._clean_expired()
    clock[0] += 0.999
    layer._clean_expired()
    assert len(scans) == 1
    clock[0] += 0.001
    layer._clean_expired()
    assert len(scans) == 2


async def test_an_expired_event_still_drops_its_channel_from_groups(clock):
    layer = ProcessChannelLayer(expiry=60)
    gone, listening = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("conversation", gone)
    await layer.group_add("conversation", listening)
    await layer.group_send("conversation", {"type": "first"})
    assert (await layer.receive(listening))["type"] == "first"
    clock[0] += 61  # nobody read ``gone``'s event for longer than the expiry
    await layer.group_send("conversation", {"type": "second"})
    assert (await layer.receive(listening))["type"] == "second"
    assert gone not in layer.groups["conversation"]
    assert listening in layer.groups["conversation"]
