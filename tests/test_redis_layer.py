"""The Redis channel layer under a burst: more commands at once than it has connections."""

import asyncio
import time

import pytest
from django.conf import settings

from parley.core.layers import WaitingRedisChannelLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


async def test_a_burst_larger_than_the_pool_waits_for_connections_instead_of_failing():
    layer = WaitingRedisChannelLayer(
        hosts=[settings.REDIS_URL], prefix="parley-pool-test", pool_size=2, pool_timeout=10
    )
    channels = [await layer.new_channel() for _ in range(60)]
    await asyncio.gather(*(layer.group_add("burst", channel) for channel in channels))
    await layer.group_send("burst", {"type": "hello"})
    heard = await asyncio.gather(*(layer.receive(channel) for channel in channels))
    assert [event["type"] for event in heard] == ["hello"] * 60
    await asyncio.gather(*(layer.group_discard("burst", channel) for channel in channels))
    await layer.flush()


async def test_a_process_falling_behind_loses_no_event_of_sockets_within_their_capacity():
    """Redis keeps one list per process for all its sockets: the capacity of one socket must
    not be what the whole process may hold while it catches up."""
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "prefix": "parley-capacity-test"}
    layer = WaitingRedisChannelLayer(**config)
    sockets = [await layer.new_channel() for _ in range(3)]
    each = settings.CHANNEL_LAYER_CAPACITY * 2 // 3  # twice the capacity in all
    for number, channel in enumerate(sockets):
        await layer.group_add(f"conversation-{number}", channel)
    for sequence in range(each):
        for number in range(len(sockets)):
            await layer.group_send(f"conversation-{number}", {"type": "m", "n": sequence})
    for channel in sockets:
        heard = [(await layer.receive(channel))["n"] for _ in range(each)]
        assert heard == list(range(each))
    await layer.flush()


async def test_a_socket_waiting_on_a_busy_process_outlives_the_blocking_pop():
    """Redis answers an empty blocking pop after ``brpop_timeout``; a process too busy to read
    that answer at once must keep the socket's receive alive, not time out reading it. (About
    six seconds: the pop's own timeout, as configured, and a little more.)"""
    layer = WaitingRedisChannelLayer(hosts=[settings.REDIS_URL], prefix="parley-busy-test")
    channel = "parley-busy-test-socket"

    async def stall_once_the_pop_is_sent():
        await asyncio.sleep(0.2)
        time.sleep(layer.brpop_timeout + 0.5)  # the event loop held, as by a long callback

    waiting = asyncio.ensure_future(layer.receive(channel))
    await stall_once_the_pop_is_sent()
    await layer.send(channel, {"type": "late"})
    assert (await asyncio.wait_for(waiting, timeout=20))["type"] == "late"
    await layer.flush()
