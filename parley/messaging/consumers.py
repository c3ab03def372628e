"""Live chat: one WebSocket per signed-in user at ``/ws/chat/`` (protocol: docs/websocket.md).

The socket joins two kinds of groups: the user's own (their conversations as a buyer, and their
notifications) and one per store they work for. So it hears every conversation of its user,
including one started after it connected, with one or two subscriptions however many
conversations there are. It relays new messages, read receipts, typing and presence. Sending
and marking read go through ``services``, so chat and the Message Center are one history. The
channel layer may drop events when this socket falls behind; the database is the truth, so a
gap in ``seq`` is filled from it before anything newer is relayed, and a gap too wide to replay
is answered with ``resync``.
"""

import asyncio
import functools
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.attachments.services import attachments_check_count, attachments_owned
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, ParleyError
from parley.core.realtime import collecting, send_events
from parley.marketplace.selectors import store_ids_for_member
from parley.notifications.services import user_group

from . import chat_selectors, presence, selectors, sending, services
from .models import Conversation
from .payloads import message_payload, side_group, store_group

logger = logging.getLogger(__name__)

SUBPROTOCOL = "parley.chat.v1"

# Close codes (RFC 6455 reserves 4000–4999 for applications).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FRAME_TOO_BIG = 1009
CLOSE_FLOODING = 4429
CLOSE_IDLE = 4408

# Messages a socket remembers having sent in their ack, until their echo from the group comes.
ACKED_REMEMBERED = 256


@dataclass(slots=True)
class Followed:
    """A conversation this socket has relayed: the last seq it sent and the user's side in it.

    An ``active`` one (resumed: an open chat window) gets every message, gaps filled from the
    database; the others relay what the layer brings, enough for the header's counts.
    """

    delivered: int
    as_store: bool
    buyer_id: int
    store_id: int
    active: bool = False

    def other_side_group(self) -> str:
        return side_group(buyer_id=self.buyer_id, store_id=self.store_id,
                          store_side=not self.as_store)  # fmt: skip


class FrameBucket:
    """Token bucket: ``burst`` frames at once, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        moment = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (moment - self.at) * self.rate)
        self.at = moment
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _draft(user: User, conversation_id: int, frame: dict[str, Any]) -> services.Draft:
    """The frame as a draft; its photos must be the sender's own uploads."""
    ids = frame.get("attachments") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise Invalid(_("Attachments are a list of photo ids."), field="attachments")
    attachments_check_count(len(ids))
    body = frame.get("body", "")
    if not isinstance(body, str):
        raise Invalid(_("The message text must be a string."), field="body")
    return services.Draft(
        user, conversation_id, body, attachments_owned(user, ids), client_id=frame["client_id"]
    )


def _mark_read(user: User, conversation_id: int, seq: int) -> int:
    conversation = selectors.get_conversation_for(user, conversation_id)
    return services.conversation_mark_read(actor=user, conversation=conversation, up_to_seq=seq)


def _side_in(user: User, conversation: Conversation) -> Followed:
    """The user's side in the conversation, followed from its last message."""
    return Followed(
        delivered=conversation.last_seq, as_store=conversation.buyer_id != user.pk,
        buyer_id=conversation.buyer_id, store_id=conversation.store_id,
    )  # fmt: skip


def _followed(user: User, conversation_id: int) -> Followed:
    """The user's side in one of their conversations (NotFound for anyone else's)."""
    return _side_in(user, selectors.get_conversation_for(user, conversation_id))


def _resume_state(user: User, conversation_id: int) -> dict[str, Any]:
    conversation = selectors.get_conversation_for(user, conversation_id)
    side = _side_in(user, conversation)
    return {
        "last_seq": conversation.last_seq,
        "side": side,
        "presence": presence.side_presence(conversation, store_side=not side.as_store),
        "read": chat_selectors.read_marks(conversation),
    }


def _presence_events(user: User) -> list[tuple[str, dict]]:
    """What this user's coming or going looks like to the other side of their recent
    conversations (at most ``CHAT_PRESENCE_MAX``)."""
    events = []
    # A side looks the same in each of its conversations: the buyer, or one store's members.
    sides: dict[int | None, dict[str, Any]] = {}
    for conversation in chat_selectors.recent_conversations(user):
        store_side = conversation.buyer_id != user.pk
        side = conversation.store_id if store_side else None
        if side not in sides:
            sides[side] = presence.side_presence(conversation, store_side=store_side)
        frame = {**sides[side], "conversation": conversation.pk, "type": "chat.presence"}
        group = side_group(buyer_id=conversation.buyer_id, store_id=conversation.store_id,
                           store_side=not store_side)  # fmt: skip
        events.append((group, frame))
    return events


async def presence_call(function: Callable[[int], Any], user_id: int) -> Any:
    """Presence lives in the cache, not the database: its calls run beside the database
    thread rather than queueing behind sends."""
    return await sync_to_async(function, thread_sensitive=False)(user_id)


def _positive_int(frame: dict[str, Any], name: str) -> int:
    value = frame.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(_("“%(name)s” must be a whole number, 0 or more.") % {"name": name})
    return value


@functools.lru_cache(maxsize=64)
def _handler_name(kind: str) -> str:
    """channels' name for an event type's handler, worked out once per type."""
    return get_handler_name({"type": kind})


class ChatConsumer(AsyncWebsocketConsumer):
    user: User
    followed: dict[int, Followed]
    # Group events and the heartbeat can still arrive after the socket closed; sending then
    # is an ASGI error, so every frame checks this first.
    is_open = False

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Hand an event to its handler without channels' database check first.

        channels closes stale database connections before every event, a trip to the database
        thread. That thread also runs every send and every HTTP request, so under load each
        event a socket heard waited behind the queue (seconds, with eight HTTP senders). The
        handlers here that touch the database do it through ``database_sync_to_async``, which
        does that check itself.
        """
        kind = message.get("type")
        name = _handler_name(kind) if isinstance(kind, str) else get_handler_name(message)
        handler = getattr(self, name, None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.followed = {}
        self.bucket = FrameBucket(settings.CHAT_FRAMES_PER_SECOND, settings.CHAT_FRAME_BURST)
        self.refused_in_a_row = 0
        self.heard_at = time.monotonic()
        self.delivered_pending: dict[int, int] = {}
        self.delivered_task: asyncio.Task | None = None
        self.acked: set[tuple[int, int]] = set()  # (conversation, seq) sent with their ack
        self.groups_joined = [user_group(user.pk)] + [
            store_group(store_id)
            for store_id in await database_sync_to_async(store_ids_for_member)(user)
        ]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        protocols = self.scope.get("subprotocols", [])
        await self.accept(SUBPROTOCOL if SUBPROTOCOL in protocols else None)
        self.is_open = True
        came_online = await presence_call(presence.presence_connect, user.pk)
        unread = await database_sync_to_async(selectors.unread_total_for)(user)
        await self._frame(
            {
                "type": "hello",
                "user": user.pk,
                "server_time": now().isoformat(),
                "heartbeat_seconds": settings.CHAT_HEARTBEAT_SECONDS,
                "max_frame_bytes": settings.CHAT_FRAME_MAX_BYTES,
                "unread": unread,
            }
        )
        if came_online:
            await self._announce_presence()
        self.heartbeat = asyncio.create_task(self._heartbeat())

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        self.is_open = False
        await super().close(code=code, reason=reason)

    async def disconnect(self, code: int) -> None:
        self.is_open = False
        if not hasattr(self, "followed"):
            return
        if hasattr(self, "heartbeat"):
            self.heartbeat.cancel()
        if self.delivered_task is not None:
            self.delivered_task.cancel()
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as failure:  # the socket is gone whatever the layer says
                # Thousands of sockets closing at once can hold every Redis connection of the
                # process past its timeout. A group still naming this socket only holds what
                # is sent to it until the layer's expiry; the user still goes offline below.
                logger.warning("socket %s left %s without the layer: %r", self.channel_name,
                               group, failure)  # fmt: skip
        went_offline = await presence_call(presence.presence_disconnect, self.user.pk)
        if went_offline:
            await self._announce_presence()

    # --- frames from the client ------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.CHAT_FRAME_MAX_BYTES:
            await self.close(code=CLOSE_FRAME_TOO_BIG)
            return
        self.heard_at = time.monotonic()
        if not self.bucket.take():
            self.refused_in_a_row += 1
            if self.refused_in_a_row >= settings.CHAT_FLOOD_CLOSE_AFTER:
                await self.close(code=CLOSE_FLOODING)
            elif self.refused_in_a_row == 1:
                await self._error(ParleyError(ErrorCode.THROTTLED), None)
            return
        self.refused_in_a_row = 0
        frame: Any = None
        try:
            frame = json.loads(text_data) if text_data is not None else None
            if not isinstance(frame, dict):
                raise Invalid(_("A frame is a JSON object with a “type”."))
            handler = self.handlers.get(frame.get("type"))
            if handler is None:
                raise Invalid(_("Unknown frame type."), field="type")
            await handler(self, frame)
        except ValueError:
            await self._error(Invalid(_("A frame is a JSON object with a “type”.")), None)
        except ParleyError as refusal:
            await self._error(refusal, frame)

    async def on_send(self, frame: dict[str, Any]) -> None:
        conversation_id = _positive_int(frame, "conversation")
        if not isinstance(frame.get("client_id"), str):
            raise Invalid(_("A message needs a client id."), field="client_id")
        if frame.get("attachments"):
            draft = await database_sync_to_async(_draft)(self.user, conversation_id, frame)
        else:
            draft = _draft(self.user, conversation_id, frame)
        outcome = await sending.send(draft)
        if isinstance(outcome, Exception):
            raise outcome
        message, created = outcome
        if created:
            payload = message_payload(message, draft.attachments)
            self._acked_here(conversation_id, message.seq)
        else:  # a retry: the photos stored the first time, read back
            payload = await database_sync_to_async(message_payload)(message)
        await self._frame(
            {
                "type": "ack",
                "client_id": frame["client_id"],
                "conversation": conversation_id,
                "id": message.pk,
                "seq": message.seq,
                "created_at": message.created_at.isoformat(),
                "duplicate": not created,
                "message": payload,
            }
        )

    def _acked_here(self, conversation_id: int, seq: int) -> None:
        """The ack carried the message: its echo from the group need not reach this socket.

        Its echo may never come (the layer drops events for a socket that falls behind), so
        the set is bounded; a socket that forgets one sends the message twice, and clients
        keep the first by its seq."""
        if len(self.acked) >= ACKED_REMEMBERED:
            self.acked.clear()
        self.acked.add((conversation_id, seq))

    async def on_typing(self, frame: dict[str, Any]) -> None:
        conversation_id = _positive_int(frame, "conversation")
        followed = self.followed.get(conversation_id)
        if followed is None:
            followed = await database_sync_to_async(_followed)(self.user, conversation_id)
            followed = self.followed.setdefault(conversation_id, followed)
        await self.channel_layer.group_send(
            followed.other_side_group(),
            {
                "type": "chat.typing",
                "conversation": conversation_id,
                "user": self.user.pk,
                "name": self.user.public_name,
                "from_store": followed.as_store,
            },
        )

    async def on_read(self, frame: dict[str, Any]) -> None:
        conversation_id = _positive_int(frame, "conversation")
        seq = _positive_int(frame, "seq")
        _, events = await database_sync_to_async(collecting)(
            _mark_read, self.user, conversation_id, seq
        )
        await send_events(events)

    async def on_resume(self, frame: dict[str, Any]) -> None:
        await self._resume(_positive_int(frame, "conversation"), _positive_int(frame, "last_seq"))

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self._frame({"type": "pong", "server_time": now().isoformat()})

    async def on_pong(self, frame: dict[str, Any]) -> None:
        """Only proves the client is alive (``heard_at`` is already updated)."""

    handlers = {
        "send": on_send,
        "typing": on_typing,
        "read": on_read,
        "resume": on_resume,
        "ping": on_ping,
        "pong": on_pong,
    }

    # --- events from the conversation groups -------------------------------------------------

    async def message_new(self, event: dict[str, Any]) -> None:
        """The message, with this user's bell for it when the message notified them; the bell
        goes alone when this socket has the message already."""
        conversation_id, seq = event["conversation"], event["seq"]
        bell = next((b for b in event.get("bells", ()) if b["user"] == self.user.pk), None)
        followed = self._seen(event)
        fresh = seq > followed.delivered
        if fresh and seq > followed.delivered + 1 and followed.active:
            await self._catch_up(conversation_id, followed, upto=seq - 1)
        if (conversation_id, seq) in self.acked:  # this socket sent it, and its ack carried it
            self.acked.discard((conversation_id, seq))
            followed.delivered = max(followed.delivered, seq)
            fresh = False
        if fresh:
            await self._relay(conversation_id, followed, event["message"], bell)
        elif bell is not None:
            await self._bell(bell)

    async def conversation_read(self, event: dict[str, Any]) -> None:
        await self._frame(
            {
                "type": "read",
                "conversation": event["conversation"],
                "seq": event["seq"],
                "user": event["user"],
                "from_store": event["from_store"],
            }
        )
        if event["user"] == self.user.pk:
            unread = await database_sync_to_async(selectors.unread_total_for)(self.user)
            await self._frame({"type": "unread", "total": unread})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["user"] != self.user.pk:
            await self._frame({**event, "type": "typing"})

    async def chat_presence(self, event: dict[str, Any]) -> None:
        """Sent to the other side's group only, so every one that arrives is for this user."""
        await self._frame({**event, "type": "presence"})

    async def chat_delivered(self, event: dict[str, Any]) -> None:
        followed = self.followed.get(event["conversation"])
        if followed is not None and event["from_store"] == followed.as_store:
            await self._frame({**event, "type": "delivered"})

    # --- events from the user's notifications group ------------------------------------------

    async def notification_new(self, event: dict[str, Any]) -> None:
        await self._bell(event)

    async def notification_read(self, event: dict[str, Any]) -> None:
        await self._frame({"type": "notifications", "unread": event["unread"]})

    # --- helpers -----------------------------------------------------------------------------

    async def _bell(self, bell: dict[str, Any]) -> None:
        await self._frame({"type": "notifications", **_bell_fields(bell)})

    def _seen(self, event: dict[str, Any]) -> Followed:
        """The conversation of an event from the layer, followed from here on if it is new."""
        followed = self.followed.get(event["conversation"])
        if followed is None:
            followed = self.followed[event["conversation"]] = Followed(
                delivered=event["seq"] - 1, as_store=event["buyer"] != self.user.pk,
                buyer_id=event["buyer"], store_id=event["store"],
            )  # fmt: skip
        return followed

    async def _resume(self, conversation_id: int, last_seq: int) -> None:
        """Follow the conversation and replay what came after ``last_seq``, or ask to resync."""
        state = await database_sync_to_async(_resume_state)(self.user, conversation_id)
        followed = self.followed.get(conversation_id)
        if followed is None:
            followed = self.followed[conversation_id] = state["side"]
        followed.active = True
        followed.delivered = min(last_seq, state["last_seq"])
        await self._catch_up(conversation_id, followed, upto=state["last_seq"])
        await self._frame(
            {
                "type": "resumed",
                "conversation": conversation_id,
                "last_seq": followed.delivered,
                "read": state["read"],
            }
        )
        await self._frame(state["presence"])

    async def _catch_up(self, conversation_id: int, followed: Followed, upto: int) -> None:
        """Replay from the database what the channel layer did not bring, or ask to resync."""
        if upto - followed.delivered > settings.CHAT_REPLAY_MAX:
            await self._frame({"type": "resync", "conversation": conversation_id, "last_seq": upto})
            followed.delivered = upto
            return
        missed = await database_sync_to_async(chat_selectors.messages_between)(
            conversation_id, followed.delivered, upto
        )
        for payload in missed:
            await self._relay(conversation_id, followed, payload)

    async def _relay(
        self, conversation_id: int, followed: Followed, payload: dict, bell: dict | None = None
    ) -> None:
        followed.delivered = payload["seq"]
        own = payload["from_store"] == followed.as_store
        frame = {
            "type": "message",
            "conversation": conversation_id,
            "seq": payload["seq"],
            "own": own,
            "message": payload,
        }
        if bell is not None:
            frame["notifications"] = _bell_fields(bell)
        await self._frame(frame)
        if not own:
            self._note_delivered(conversation_id, payload["seq"])

    def _note_delivered(self, conversation_id: int, seq: int) -> None:
        """Tell the other side its message reached a screen, at most a few times a second."""
        self.delivered_pending[conversation_id] = seq
        if self.delivered_task is None or self.delivered_task.done():
            self.delivered_task = asyncio.create_task(self._flush_delivered())

    async def _flush_delivered(self) -> None:
        await asyncio.sleep(0.2)
        pending, self.delivered_pending = self.delivered_pending, {}
        for conversation_id, seq in pending.items():
            followed = self.followed[conversation_id]
            await self.channel_layer.group_send(
                followed.other_side_group(),
                {
                    "type": "chat.delivered",
                    "conversation": conversation_id,
                    "seq": seq,
                    "from_store": not followed.as_store,
                },
            )

    async def _announce_presence(self) -> None:
        events = await database_sync_to_async(_presence_events)(self.user)
        for group, event in events:
            await self.channel_layer.group_send(group, event)

    async def _heartbeat(self) -> None:
        """Ping so proxies keep the socket; close it when the client has gone quiet.

        The first beat comes at a random point of the interval: sockets that connected together
        (a server restart, a load test) would otherwise all beat in the same instant.
        """
        await asyncio.sleep(random.uniform(0.5, 1) * settings.CHAT_HEARTBEAT_SECONDS)
        while True:
            if time.monotonic() - self.heard_at > settings.CHAT_IDLE_TIMEOUT_SECONDS:
                await self.close(code=CLOSE_IDLE)
                return
            await presence_call(presence.presence_refresh, self.user.pk)
            await self._frame({"type": "ping", "server_time": now().isoformat()})
            await asyncio.sleep(settings.CHAT_HEARTBEAT_SECONDS)

    async def _frame(self, frame: dict[str, Any]) -> None:
        if not self.is_open:
            return
        try:
            await self.send(text_data=json.dumps(frame, ensure_ascii=False))
        except (RuntimeError, OSError):
            # The client went away and its disconnect has not reached this consumer yet; the
            # server refuses a send after close. Nothing is lost: the client resumes by seq.
            self.is_open = False

    async def _error(self, refusal: ParleyError, frame: dict[str, Any] | None) -> None:
        reply = {"type": "error", **refusal.as_dict()}
        if isinstance(frame, dict):
            reply["frame"] = frame.get("type") if isinstance(frame.get("type"), str) else None
            if isinstance(frame.get("conversation"), int):
                reply["conversation"] = frame["conversation"]
            if isinstance(frame.get("client_id"), str):
                reply["client_id"] = frame["client_id"]
        await self._frame(reply)


def _bell_fields(bell: dict[str, Any]) -> dict[str, Any]:
    """A new notification as the bell shows it (the ``notifications`` frame)."""
    return {"unread": bell["unread"], "id": bell["id"], "kind": bell["kind"]}
