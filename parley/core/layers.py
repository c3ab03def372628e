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
"""

import time
from typing import Any

from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

CLEAN_EVERY_SECONDS = 1.0


class ProcessChannelLayer(InMemoryChannelLayer):
    """The in-memory layer, cleaning expired entries once a second instead of per receive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cleaned_at = 0.0

    def _clean_expired(self) -> None:
        moment = time.monotonic()
        if moment - self.cleaned_at >= CLEAN_EVERY_SECONDS:
            self.cleaned_at = moment
            super()._clean_expired()


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
        )
