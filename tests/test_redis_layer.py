"""The Redis channel layer under a burst: more commands at once than it has connections."""

import asyncio

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
