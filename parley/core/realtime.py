"""Publish to WebSocket groups after the surrounding transaction commits.

Nobody must hear about a change that was rolled back, so services call ``publish_on_commit``
inside their transaction and the message leaves only once the data is durable.
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def publish(group: str, event: dict[str, Any]) -> None:
    """Send now; the channel layer is at-most-once, so readers recover gaps from the database."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # a full or unreachable layer must not undo committed work
        logger.exception("realtime publish to %s failed", group)


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: publish(group, event))
