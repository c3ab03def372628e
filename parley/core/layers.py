"""The Redis channel layer with a pool that waits for a free connection instead of failing.

redis-py's asyncio pool raises ``MaxConnectionsError`` the moment more commands are in flight
than it has connections (100 by default). Thousands of sockets connecting or closing at once
each join or leave their groups, so a burst would fail some of them; here a command waits (up
to ``REDIS_POOL_TIMEOUT`` seconds) for one of ``REDIS_POOL_SIZE`` connections instead.
"""

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


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
