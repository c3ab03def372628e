"""Who is online: a per-user count of open chat sockets, kept in the cache.

The count expires unless a socket's heartbeat refreshes it, so a server process that dies does
not leave its users online forever. "Last seen" is the moment the last socket closed (or the
last heartbeat). With REDIS_URL set the cache is Redis, shared by every server process.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from parley.core.clock import now
from parley.marketplace.models import StoreMembership

from .models import Conversation

ONLINE = "chat:online:{id}"
SEEN = "chat:seen:{id}"


def _ttl() -> int:
    return int(settings.CHAT_IDLE_TIMEOUT_SECONDS) + 5


def presence_connect(user_id: int) -> bool:
    """Count a new socket; True when the user has just come online."""
    key = ONLINE.format(id=user_id)
    cache.add(key, 0, _ttl())
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _ttl())
        count = 1
    cache.touch(key, _ttl())
    cache.set(SEEN.format(id=user_id), now().isoformat(), None)
    return count == 1


def presence_refresh(user_id: int) -> None:
    """A heartbeat: still here."""
    key = ONLINE.format(id=user_id)
    if not cache.touch(key, _ttl()):
        cache.set(key, 1, _ttl())
    cache.set(SEEN.format(id=user_id), now().isoformat(), None)


def presence_disconnect(user_id: int) -> bool:
    """Uncount a socket; True when it was the user's last one."""
    key = ONLINE.format(id=user_id)
    cache.set(SEEN.format(id=user_id), now().isoformat(), None)
    try:
        count = cache.decr(key)
    except ValueError:
        return True
    if count <= 0:
        cache.delete(key)
        return True
    return False


def users_presence(user_ids: list[int]) -> dict[str, Any]:
    """Online if any of them is; last seen is the latest of them."""
    online = cache.get_many([ONLINE.format(id=i) for i in user_ids])
    seen = cache.get_many([SEEN.format(id=i) for i in user_ids])
    moments = [datetime.fromisoformat(value) for value in seen.values()]
    return {
        "online": any(value > 0 for value in online.values()),
        "last_seen": max(moments).isoformat() if moments else None,
    }


def side_presence(conversation: Conversation, *, store_side: bool) -> dict[str, Any]:
    """The presence of one side of a conversation: its buyer, or any member of its store."""
    if store_side:
        ids = list(
            StoreMembership.objects.filter(store_id=conversation.store_id).values_list(
                "user_id", flat=True
            )
        )
    else:
        ids = [conversation.buyer_id]
    return {
        "type": "presence",
        "conversation": conversation.pk,
        "side": "store" if store_side else "buyer",
        **users_presence(ids),
    }
