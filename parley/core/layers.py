"""Channel layers: the in-memory one (embedded) and Redis (several processes), tuned for
thousands of sockets per process.

The in-memory layer of channels looks for expired messages and group memberships on every
``receive``: every socket's, after every event it hears. With 5,000 sockets that scan of every
membership made each delivery wait behind thousands of others. Here it runs at most once a
second, which keeps expiry as it was (messages live 60 s, memberships a day).

Redis: redis-py's asyncio pool raises ``MaxConnectionsError`` the moment more commands are in flight
than it has connections (100 by default). Thousands of sockets connecting or closing at once
each join or leave their groups, so a burst would fail some of them; here a command waits (up
to ``REDIS_POOL_TIMEOUT`` seconds) for one of ``REDIS_POOL_SIZE`` connections instead.

A socket waits for its events with a blocking pop that Redis ends after ``brpop_timeout`` (5 s),
and redis-py gives up reading a reply after its socket timeout, also 5 s by default. Whenever
the process was busy as the empty answer came, the read timed out first and the socket died
with a server error (11 sockets in one benchmark run among 5,000). The read now waits
``READ_MARGIN_SECONDS`` longer than the pop; a Redis that does not answer at all still fails.
"""

import asyncio
import contextlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

CLEAN_EVERY_SECONDS = 1.0
READ_MARGIN_SECONDS = 10.0


class ProcessChannelLayer(InMemoryChannelLayer):
    """The in-memory layer, cleaning expired entries once a second instead of per receive, and
    handing a group's event to its members without a task and a deep copy for each.

    Events are never changed once sent (a consumer builds its frames from them), and with the
    Redis layer each receiver decodes its own copy anyway; channels' copy of a chat message's
    payload for every socket, and a task per socket to queue it, cost a tenth of what sending
    a message costs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cleaned_at = 0.0

    def _clean_expired(self) -> None:
        moment = time.monotonic()
        if moment - self.cleaned_at >= CLEAN_EVERY_SECONDS:
            self.cleaned_at = moment
            super()._clean_expired()

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        self._put(channel, message)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            with contextlib.suppress(ChannelFull):  # as channels does: that socket misses it
                self._put(channel, message)

    async def receive(self, channel: str) -> dict[str, Any]:
        """As channels receives, keeping the channel's queue while its reader waits for more.

        channels drops a channel's queue whenever it is emptied, and builds a new one for the
        next event and the next receive (and another to throw away, as ``setdefault``'s
        default): on a busy socket, two queues per event. The queue goes when its reader does."""
        self._clean_expired()
        if channel not in self.channels:  # a name is checked when its queue is made
            self.require_valid_channel_name(channel)
        queue = self._queue(channel)
        try:
            _, message = await queue.get()
        except asyncio.CancelledError:
            if queue.empty():
                self.channels.pop(channel, None)
            raise
        return message

    def _queue(self, channel: str) -> asyncio.Queue:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        queue = self._queue(channel)
        try:
            queue.put_nowait((time.time() + self.expiry, message))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None


class WaitingRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args: Any, pool_size: int = 100, pool_timeout: float = 10, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pool_size = pool_size
        self.pool_timeout = pool_timeout

    def create_pool(self, index: int) -> BlockingConnectionPool:
        return BlockingConnectionPool.from_url(
            self.hosts[index]["address"],
            max_connections=self.pool_size,
            timeout=self.pool_timeout,
            socket_timeout=self.brpop_timeout + READ_MARGIN_SECONDS,
        )
