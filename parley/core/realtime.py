"""Publish to WebSocket groups after the surrounding transaction commits.

Nobody must hear about a change that was rolled back, so services call ``publish_on_commit``
inside their transaction and the message leaves only once the data is durable.

Publishing from a worker thread means a hop to the event loop for every event. A caller that
sits on the event loop (the chat consumer) runs the service through ``collecting``: the events
its commits release are handed back with the result, and it sends them itself, with no hop.
"""

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]

_collector = threading.local()


def publish(group: str, event: dict[str, Any]) -> None:
    """Send now (or hand to the surrounding ``collecting``); the channel layer is at-most-once,
    so readers recover gaps from the database."""
    kept: list[Event] | None = getattr(_collector, "events", None)
    if kept is not None:
        kept.append((group, event))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # a full or unreachable layer must not undo committed work
        logger.exception("realtime publish to %s failed", group)


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    publish_all_on_commit([(group, event)])


def publish_all_on_commit(events: Sequence[Event]) -> None:
    """Publish these in order after commit, with one hook: registering a hook cost more than
    sending an event, and a burst of chat messages has two events a message."""
    if events:
        transaction.on_commit(functools.partial(_publish_all, list(events)))


def _publish_all(events: list[Event]) -> None:
    for group, event in events:
        publish(group, event)


def collecting[T](function: Callable[..., T], *args: Any) -> tuple[T, list[Event]]:
    """Run ``function`` and return its result with the events it published, unsent.

    For a caller on the event loop, which sends them with ``send_events``. If the function
    fails after something committed, what was committed is still published, here.
    """
    outer = getattr(_collector, "events", None)
    events: list[Event] = []
    _collector.events = events
    try:
        result = function(*args)
    except BaseException:
        _collector.events = outer
        for group, event in events:
            publish(group, event)
        raise
    _collector.events = outer
    return result, events


async def send_events(events: list[Event]) -> None:
    """Send what ``collecting`` gathered, from the event loop."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception:
            logger.exception("realtime publish to %s failed", group)
