"""The embedded channel layer: expiry as in channels, but not a scan of every socket per event."""

import asyncio
import time

import pytest
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer, get_channel_layer

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


async def test_a_socket_that_falls_behind_in_a_burst_loses_nothing_up_to_the_capacity(settings):
    layer = get_channel_layer()
    slow = await layer.new_channel()
    await layer.group_add("conversation", slow)
    burst = settings.CHANNEL_LAYER_CAPACITY
    assert burst >= 1000
    for n in range(burst):
        await layer.group_send("conversation", {"type": "message.new", "seq": n})
    heard = [(await layer.receive(slow))["seq"] for _ in range(burst)]
    assert heard == list(range(burst))
    await layer.group_discard("conversation", slow)


async def test_a_full_socket_misses_the_event_and_the_rest_of_the_group_gets_it():
    layer = ProcessChannelLayer(capacity=2)
    full, other = await layer.new_channel(), await layer.new_channel()
    for channel in (full, other):
        await layer.group_add("store", channel)
    await layer.send(full, {"type": "a"})
    await layer.send(full, {"type": "b"})
    await layer.group_send("store", {"type": "message.new", "seq": 1})
    assert [(await layer.receive(full))["type"] for _ in range(2)] == ["a", "b"]
    assert (await layer.receive(other))["seq"] == 1
    await layer.send(other, {"type": "c"})
    await layer.send(other, {"type": "d"})
    with pytest.raises(ChannelFull):
        await layer.send(other, {"type": "e"})


async def test_a_channel_or_group_name_that_is_not_valid_is_refused():
    layer = ProcessChannelLayer()
    with pytest.raises(TypeError):
        await layer.group_send("no spaces allowed", {"type": "x"})
    with pytest.raises(TypeError):
        await layer.send("no spaces allowed", {"type": "x"})
    with pytest.raises(TypeError):
        await layer.receive("no spaces allowed")


async def test_a_listening_channel_keeps_its_queue_until_its_reader_goes():
    layer = ProcessChannelLayer()
    channel = await layer.new_channel()
    reader = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0)
    queue = layer.channels[channel]
    for n in range(3):
        await layer.send(channel, {"type": "event", "n": n})
        assert (await reader)["n"] == n
        reader = asyncio.create_task(layer.receive(channel))
        await asyncio.sleep(0)
        assert layer.channels[channel] is queue
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert channel not in layer.channels
