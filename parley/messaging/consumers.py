"""Live chat: one WebSocket per signed-in user at ``/ws/chat/`` (protocol: docs/websocket.md).

The socket follows the user's recent conversations (and any it resumes or sends into): it
relays their new messages, read receipts, typing and presence. Sending and marking read go
through ``services``, so chat and the Message Center are one history. The channel layer may
drop events when this socket falls behind; the database is the truth, so a gap in ``seq`` is
filled from it before anything newer is relayed, and a gap too wide to replay is answered
with ``resync``.
"""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.attachments.services import attachments_check_count
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, NotFound, ParleyError
from parley.notifications.services import user_group

from . import chat_selectors, presence, selectors, services
from .models import Conversation, Message
from .payloads import conversation_group

SUBPROTOCOL = "parley.chat.v1"

# Close codes (RFC 6455 reserves 4000–4999 for applications).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FRAME_TOO_BIG = 1009
CLOSE_FLOODING = 4429
CLOSE_IDLE = 4408


@dataclass
class Followed:
    """A conversation this socket relays: the last seq it sent and the user's side in it.

    An ``active`` one (resumed: an open chat window) gets every message, gaps filled from the
    database; the others relay what the layer brings, enough for the header's counts.
    """

    delivered: int
    as_store: bool
    active: bool = False


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


def _send_message(user: User, conversation_id: int, frame: dict[str, Any]) -> tuple[Message, bool]:
    conversation = selectors.get_conversation_for(user, conversation_id)
    ids = frame.get("attachments") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise Invalid(_("Attachments are a list of photo ids."), field="attachments")
    attachments_check_count(len(ids))
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=ids, owner=user)}
    if len(found) != len(set(ids)):
        raise NotFound()
    body = frame.get("body", "")
    if not isinstance(body, str):
        raise Invalid(_("The message text must be a string."), field="body")
    return services.message_send(
        actor=user,
        conversation=conversation,
        body=body,
        attachments=[found[i] for i in ids],
        client_id=frame["client_id"],
    )


def _mark_read(user: User, conversation_id: int, seq: int) -> int:
    conversation = selectors.get_conversation_for(user, conversation_id)
    return services.conversation_mark_read(actor=user, conversation=conversation, up_to_seq=seq)


def _resume_state(user: User, conversation_id: int) -> dict[str, Any]:
    conversation = selectors.get_conversation_for(user, conversation_id)
    as_store = conversation.buyer_id != user.pk
    return {
        "last_seq": conversation.last_seq,
        "as_store": as_store,
        "presence": presence.side_presence(conversation, store_side=not as_store),
        "read": chat_selectors.read_marks(conversation),
    }


def _presence_events(user: User, conversation_ids: list[int]) -> list[tuple[str, dict]]:
    """What this user's coming or going looks like in each conversation they follow."""
    events = []
    for conversation in Conversation.objects.filter(pk__in=conversation_ids):
        frame = presence.side_presence(conversation, store_side=conversation.buyer_id != user.pk)
        events.append((conversation_group(conversation.pk), {**frame, "type": "chat.presence"}))
    return events


def _positive_int(frame: dict[str, Any], name: str) -> int:
    value = frame.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(_("“%(name)s” must be a whole number, 0 or more.") % {"name": name})
    return value


class ChatConsumer(AsyncWebsocketConsumer):
    user: User
    followed: dict[int, Followed]
    # Group events and the heartbeat can still arrive after the socket closed; sending then
    # is an ASGI error, so every frame checks this first.
    is_open = False

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
        rows = await database_sync_to_async(chat_selectors.followed_rows)(user)
        await self._follow(rows)
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        protocols = self.scope.get("subprotocols", [])
        await self.accept(SUBPROTOCOL if SUBPROTOCOL in protocols else None)
        self.is_open = True
        came_online = await sync_to_async(presence.presence_connect)(user.pk)
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
        for conversation_id in self.followed:
            await self.channel_layer.group_discard(
                conversation_group(conversation_id), self.channel_name
            )
        await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        went_offline = await sync_to_async(presence.presence_disconnect)(self.user.pk)
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
        message, created = await database_sync_to_async(_send_message)(
            self.user, conversation_id, frame
        )
        await self._frame(
            {
                "type": "ack",
                "client_id": frame["client_id"],
                "conversation": conversation_id,
                "id": message.pk,
                "seq": message.seq,
                "created_at": message.created_at.isoformat(),
                "duplicate": not created,
            }
        )
        if conversation_id not in self.followed:
            await self._follow(
                [{"id": conversation_id, "buyer_id": message.conversation.buyer_id,
                  "last_seq": message.seq}]
            )  # fmt: skip

    async def on_typing(self, frame: dict[str, Any]) -> None:
        conversation_id = _positive_int(frame, "conversation")
        followed = self.followed.get(conversation_id)
        if followed is None:
            raise NotFound()
        await self.channel_layer.group_send(
            conversation_group(conversation_id),
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
        await database_sync_to_async(_mark_read)(self.user, conversation_id, seq)

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
        conversation_id, seq = event["conversation"], event["seq"]
        followed = self.followed.get(conversation_id)
        if followed is None or seq <= followed.delivered:
            return
        if seq > followed.delivered + 1 and followed.active:
            await self._catch_up(conversation_id, followed, upto=seq - 1)
        await self._relay(conversation_id, followed, event["message"])

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
        followed = self.followed.get(event["conversation"])
        if followed is not None and (event["side"] == "store") != followed.as_store:
            await self._frame({**event, "type": "presence"})

    async def chat_delivered(self, event: dict[str, Any]) -> None:
        followed = self.followed.get(event["conversation"])
        if followed is not None and event["from_store"] == followed.as_store:
            await self._frame({**event, "type": "delivered"})

    # --- events from the user's notifications group ------------------------------------------

    async def notification_new(self, event: dict[str, Any]) -> None:
        await self._frame(
            {"type": "notifications", "unread": event["unread"], "id": event["id"],
             "kind": event["kind"]}
        )  # fmt: skip

    async def notification_read(self, event: dict[str, Any]) -> None:
        await self._frame({"type": "notifications", "unread": event["unread"]})

    # --- helpers -----------------------------------------------------------------------------

    async def _follow(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            await self.channel_layer.group_add(conversation_group(row["id"]), self.channel_name)
            self.followed[row["id"]] = Followed(
                delivered=row["last_seq"], as_store=row["buyer_id"] != self.user.pk
            )

    async def _resume(self, conversation_id: int, last_seq: int) -> None:
        """Follow the conversation and replay what came after ``last_seq``, or ask to resync."""
        state = await database_sync_to_async(_resume_state)(self.user, conversation_id)
        followed = self.followed.get(conversation_id)
        if followed is None:
            await self.channel_layer.group_add(
                conversation_group(conversation_id), self.channel_name
            )
            followed = Followed(delivered=last_seq, as_store=state["as_store"])
            self.followed[conversation_id] = followed
            # Anything committed between reading the state and joining is replayed below.
            state = await database_sync_to_async(_resume_state)(self.user, conversation_id)
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

    async def _relay(self, conversation_id: int, followed: Followed, payload: dict) -> None:
        followed.delivered = payload["seq"]
        own = payload["from_store"] == followed.as_store
        await self._frame(
            {
                "type": "message",
                "conversation": conversation_id,
                "seq": payload["seq"],
                "own": own,
                "message": payload,
            }
        )
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
                conversation_group(conversation_id),
                {
                    "type": "chat.delivered",
                    "conversation": conversation_id,
                    "seq": seq,
                    "from_store": not followed.as_store,
                },
            )

    async def _announce_presence(self) -> None:
        events = await database_sync_to_async(_presence_events)(self.user, list(self.followed))
        for group, event in events:
            await self.channel_layer.group_send(group, event)

    async def _heartbeat(self) -> None:
        """Ping so proxies keep the socket; close it when the client has gone quiet."""
        while True:
            await asyncio.sleep(settings.CHAT_HEARTBEAT_SECONDS)
            if time.monotonic() - self.heard_at > settings.CHAT_IDLE_TIMEOUT_SECONDS:
                await self.close(code=CLOSE_IDLE)
                return
            await sync_to_async(presence.presence_refresh)(self.user.pk)
            await self._frame({"type": "ping", "server_time": now().isoformat()})
            await self._follow_new()

    async def _follow_new(self) -> None:
        """Pick up conversations started since the socket connected (a new buyer writing to
        the store); their first messages count as unread at once."""
        rows = await database_sync_to_async(chat_selectors.followed_rows)(self.user)
        new = [row for row in rows if row["id"] not in self.followed]
        if new:
            await self._follow(new)
            unread = await database_sync_to_async(selectors.unread_total_for)(self.user)
            await self._frame({"type": "unread", "total": unread})

    async def _frame(self, frame: dict[str, Any]) -> None:
        if not self.is_open:
            return
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def _error(self, refusal: ParleyError, frame: dict[str, Any] | None) -> None:
        reply = {"type": "error", **refusal.as_dict()}
        if isinstance(frame, dict):
            reply["frame"] = frame.get("type") if isinstance(frame.get("type"), str) else None
            if isinstance(frame.get("conversation"), int):
                reply["conversation"] = frame["conversation"]
            if isinstance(frame.get("client_id"), str):
                reply["client_id"] = frame["client_id"]
        await self._frame(reply)
