"""The chat socket: every frame, every refusal, ordering, dedup, resume and gap filling."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.urls import reverse

from parley.asgi import application
from parley.attachments.services import attachment_create_from_upload
from parley.core import realtime
from parley.messaging import services
from parley.messaging.consumers import ChatConsumer
from parley.messaging.models import Conversation, Message
from parley.messaging.payloads import store_group
from parley.notifications.models import Notification
from parley.notifications.services import notifications_mark_all_read, notify

from .chat_client import (
    ORIGIN,
    PATH,
    QUIET,
    ChatClient,
    isolated_channels,  # noqa: F401  (autouse fixture)
    token_for,
)
from .conftest import client_for
from .images import photo_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dialog(cast) -> Conversation:
    return services.conversation_open(actor=cast.buyer, store=cast.store)


@database_sync_to_async
def send_as(user, conversation, body, client_id=None):
    return services.message_send(
        actor=user, conversation=conversation, body=body, client_id=client_id
    )[0]


@database_sync_to_async
def stored(conversation):
    return list(
        Message.objects.filter(conversation=conversation).values_list("seq", "body", "client_id")
    )


async def refused(headers, subprotocols=None):
    communicator = WebsocketCommunicator(
        application, PATH, headers=headers, subprotocols=subprotocols
    )
    connected, code = await communicator.connect(timeout=10)
    await communicator.disconnect()
    return connected, code


# --- who may connect --------------------------------------------------------------------------


async def test_a_socket_without_origin_or_from_another_origin_is_refused(cast):
    token = await token_for(cast.buyer)
    auth = (b"authorization", f"Bearer {token}".encode())
    assert (await refused([auth]))[0] is False
    assert (await refused([auth, (b"origin", b"https://evil.example")]))[0] is False


async def test_an_anonymous_socket_or_a_wrong_token_is_closed_with_4401(cast):
    assert await refused([ORIGIN]) == (False, 4401)
    assert await refused([ORIGIN, (b"authorization", b"Bearer wrong")]) == (False, 4401)


async def test_the_session_cookie_authenticates_a_browser(cast):
    browser = await database_sync_to_async(client_for)(cast.buyer)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN, (b"cookie", cookie)])
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    hello = json.loads(await communicator.receive_from())
    assert hello["type"] == "hello" and hello["user"] == cast.buyer.pk
    await communicator.disconnect()


async def test_a_token_as_subprotocol_authenticates_and_the_protocol_is_chosen(cast):
    token = await token_for(cast.seller)
    communicator = WebsocketCommunicator(
        application, PATH, headers=[ORIGIN], subprotocols=["parley.chat.v1", f"bearer.{token}"]
    )
    connected, subprotocol = await communicator.connect(timeout=10)
    assert connected and subprotocol == "parley.chat.v1"
    assert json.loads(await communicator.receive_from())["user"] == cast.seller.pk
    await communicator.disconnect()


# --- frames -----------------------------------------------------------------------------------


async def test_send_is_acked_after_commit_and_reaches_both_sides(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    await buyer.send(
        {"type": "send", "conversation": dialog.pk, "client_id": "c-1", "body": "Привет"}
    )
    ack = await buyer.next("ack")
    assert ack["client_id"] == "c-1" and ack["seq"] == 1 and ack["duplicate"] is False
    assert await stored(dialog) == [(1, "Привет", "c-1")]
    theirs = await seller.next("message")
    assert theirs["own"] is False
    assert theirs["message"] == ack["message"]
    assert theirs["message"]["id"] == ack["id"] and theirs["message"]["body"] == "Привет"
    assert theirs["seq"] == 1 and theirs["conversation"] == dialog.pk
    delivered = await buyer.next("delivered")
    assert delivered == {
        "type": "delivered", "conversation": dialog.pk, "seq": 1, "from_store": False
    }  # fmt: skip
    await buyer.close()
    await seller.close()


async def test_the_ack_carries_the_message_and_only_the_senders_other_sockets_get_its_echo(
    cast, dialog
):
    """The sending socket has the message from its ack; the sender's other tabs, and a resume
    that asks for it, still get it as a message."""
    buyer = await ChatClient.open(cast.buyer)
    other_tab = await ChatClient.open(cast.buyer)
    await buyer.send({"type": "send", "conversation": dialog.pk, "client_id": "c-1", "body": "Раз"})
    ack = await buyer.next("ack")
    assert (ack["message"]["seq"], ack["message"]["body"]) == (1, "Раз")
    assert ack["message"]["sender"] == {"id": cast.buyer.pk, "name": cast.buyer.public_name}
    echo = await other_tab.next("message")
    assert echo["own"] is True and echo["message"] == ack["message"]
    await send_as(cast.seller, dialog, "Два")
    assert [f["seq"] for f in await buyer.frames({"message"}, 1)] == [2]
    assert await buyer.nothing_but(QUIET | {"delivered"}) == []
    await buyer.send({"type": "resume", "conversation": dialog.pk, "last_seq": 0})
    replayed = await buyer.frames({"message"}, 2)
    assert [(f["seq"], f["own"]) for f in replayed] == [(1, True), (2, False)]
    await buyer.close()
    await other_tab.close()


async def test_a_retried_send_stores_nothing_new_and_gets_the_original_ack(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    frame = {"type": "send", "conversation": dialog.pk, "client_id": "same", "body": "Раз"}
    await buyer.send(frame)
    first = await buyer.next("ack")
    await buyer.send(frame)
    second = await buyer.next("ack")
    assert (second["id"], second["seq"], second["created_at"], second["message"]) == (
        first["id"], first["seq"], first["created_at"], first["message"]
    )  # fmt: skip
    assert second["duplicate"] is True
    assert await stored(dialog) == [(1, "Раз", "same")]
    assert (await seller.next("message"))["seq"] == 1
    assert not [f for f in await seller.nothing_but(QUIET | {"message"}) if f["type"] == "message"]
    await buyer.send({**frame, "body": "Другое"})
    conflict = await buyer.next("error")
    assert conflict["code"] == "conflict" and conflict["client_id"] == "same"
    await buyer.close()
    await seller.close()


async def test_refused_sends_say_why_and_store_nothing(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    for frame, code in [
        ({"conversation": dialog.pk, "client_id": "a", "body": "  "}, "invalid"),
        ({"conversation": dialog.pk, "body": "no id"}, "invalid"),
        ({"conversation": dialog.pk, "client_id": "bad id", "body": "x"}, "invalid"),
        ({"conversation": dialog.pk, "client_id": "b", "body": "x" * 4001}, "invalid"),
        ({"conversation": dialog.pk, "client_id": "c", "body": 5}, "invalid"),
        ({"conversation": dialog.pk, "client_id": "d", "body": "x", "attachments": [999]},
         "not_found"),
        ({"conversation": "one", "client_id": "e", "body": "x"}, "invalid"),
    ]:  # fmt: skip
        await buyer.send({"type": "send", **frame})
        error = await buyer.next("error")
        assert error["code"] == code and error["frame"] == "send", (frame, error)
        assert error["message"]
    assert await stored(dialog) == []
    await buyer.close()


async def test_a_conversation_that_is_not_yours_is_not_found_and_never_joined(cast, dialog):
    stranger = await ChatClient.open(cast.other_buyer)
    other_seller = await ChatClient.open(cast.other_seller)
    for client in (stranger, other_seller):
        for frame in [
            {"type": "send", "conversation": dialog.pk, "client_id": "x", "body": "Эй"},
            {"type": "typing", "conversation": dialog.pk},
            {"type": "read", "conversation": dialog.pk, "seq": 0},
            {"type": "resume", "conversation": dialog.pk, "last_seq": 0},
        ]:
            await client.send(frame)
            assert (await client.next("error"))["code"] == "not_found"
    await send_as(cast.buyer, dialog, "Только для продавца")
    for client in (stranger, other_seller):
        assert await client.nothing_but({"ping"}) == []
        await client.close()
    assert await stored(dialog) == [(1, "Только для продавца", None)]


async def test_unreadable_frames_are_answered_with_an_error(cast):
    buyer = await ChatClient.open(cast.buyer)
    for raw in ["not json", "[1, 2]", '{"type": "dance"}', '{"no": "type"}']:
        await buyer.communicator.send_to(text_data=raw)
        assert (await buyer.next("error"))["code"] == "invalid"
    await buyer.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await buyer.next("error"))["code"] == "invalid"
    await buyer.close()


async def test_typing_reaches_the_other_side_only(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    await buyer.send({"type": "typing", "conversation": dialog.pk})
    typing = await seller.next("typing")
    assert typing == {
        "type": "typing", "conversation": dialog.pk, "user": cast.buyer.pk,
        "name": cast.buyer.public_name, "from_store": False,
    }  # fmt: skip
    assert not [f for f in await buyer.nothing_but(QUIET) if f["type"] == "typing"]
    await buyer.close()
    await seller.close()


async def test_read_sends_a_receipt_and_the_readers_new_unread_total(cast, dialog):
    await send_as(cast.buyer, dialog, "Один")
    await send_as(cast.buyer, dialog, "Два")
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    assert seller.hello["unread"] == 2
    await seller.send({"type": "read", "conversation": dialog.pk, "seq": 1})
    receipt = await buyer.next("read")
    assert receipt == {
        "type": "read", "conversation": dialog.pk, "seq": 1, "user": cast.seller.pk,
        "from_store": True,
    }  # fmt: skip
    assert (await seller.next("unread"))["total"] == 1
    await seller.send({"type": "read", "conversation": dialog.pk, "seq": -1})
    assert (await seller.next("error"))["code"] == "invalid"
    await buyer.close()
    await seller.close()


async def test_presence_comes_and_goes_with_the_other_side(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    online = await buyer.next("presence")
    assert online["side"] == "store" and online["online"] is True and online["last_seen"]
    await seller.close()
    offline = await buyer.next("presence")
    assert offline["side"] == "store" and offline["online"] is False and offline["last_seen"]
    await buyer.close()


async def test_a_layer_that_cannot_discard_still_lets_the_socket_close(
    cast, dialog, monkeypatch, caplog
):
    """Thousands of sockets closing at once can exhaust the Redis pool: the socket still
    closes cleanly, its user still goes offline, and the log says which group kept it."""
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    await buyer.next("presence")
    layer = get_channel_layer()

    async def exhausted(group: str, channel: str) -> None:
        raise ConnectionError("No connection available.")

    monkeypatch.setattr(layer, "group_discard", exhausted)
    await seller.close()  # raises if the consumer failed while closing
    offline = await buyer.next("presence")
    assert offline["side"] == "store" and offline["online"] is False
    assert "left chat.store." in caplog.text and "No connection available" in caplog.text
    monkeypatch.undo()
    await buyer.close()


async def test_ping_is_answered_and_the_server_pings_and_closes_a_silent_socket(cast, settings):
    buyer = await ChatClient.open(cast.buyer)
    await buyer.send({"type": "ping"})
    assert (await buyer.next("pong"))["server_time"]
    await buyer.close()
    settings.CHAT_HEARTBEAT_SECONDS = 0.1
    settings.CHAT_IDLE_TIMEOUT_SECONDS = 0.35
    quiet = await ChatClient.open(cast.buyer)
    assert (await quiet.next("ping"))["server_time"]
    while (output := await quiet.communicator.receive_output(timeout=5))["type"] != (
        "websocket.close"
    ):
        assert json.loads(output["text"])["type"] == "ping"
    assert output["code"] == 4408


async def test_a_client_answering_pings_stays_connected(cast, settings):
    settings.CHAT_HEARTBEAT_SECONDS = 0.2
    settings.CHAT_IDLE_TIMEOUT_SECONDS = 1
    buyer = await ChatClient.open(cast.buyer)
    for _ in range(8):
        await buyer.next("ping")
        await buyer.send({"type": "pong"})
    await buyer.send({"type": "ping"})
    assert (await buyer.next("pong"))["type"] == "pong"
    await buyer.close()


async def test_an_oversize_frame_closes_the_socket_with_1009(cast, dialog, settings):
    settings.CHAT_FRAME_MAX_BYTES = 1000
    buyer = await ChatClient.open(cast.buyer)
    at_limit = '{"type": "ping", "pad": "' + "я" * 485 + 'abc"}'  # 1,000 bytes in UTF-8
    assert len(at_limit.encode()) == 1000
    await buyer.communicator.send_to(text_data=at_limit)
    assert (await buyer.next("pong"))["type"] == "pong"
    await buyer.send({"type": "send", "conversation": dialog.pk, "client_id": "big",
                      "body": "я" * 600})  # fmt: skip
    assert await buyer.communicator.receive_output(timeout=5) == {
        "type": "websocket.close", "code": 1009
    }  # fmt: skip
    assert await stored(dialog) == []


async def test_a_flooding_client_is_throttled_then_closed(cast, settings):
    settings.CHAT_FRAME_BURST = 5
    settings.CHAT_FRAMES_PER_SECOND = 1
    settings.CHAT_FLOOD_CLOSE_AFTER = 20
    buyer = await ChatClient.open(cast.buyer)
    for _ in range(5):
        await buyer.send({"type": "ping"})
        await buyer.next("pong")
    await buyer.send({"type": "ping"})
    throttled = await buyer.next("error")
    assert throttled["code"] == "throttled"
    for _ in range(19):
        await buyer.send({"type": "ping"})
    closed = None
    async with asyncio.timeout(5):
        while closed is None:
            output = await buyer.communicator.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                closed = output
            else:
                assert json.loads(output["text"])["type"] != "pong"
    assert closed["code"] == 4429


# --- order, resume, gaps ----------------------------------------------------------------------


async def test_ten_concurrent_senders_are_seen_by_everyone_in_one_strict_order(cast, dialog):
    senders = [await ChatClient.open(cast.buyer if i % 2 else cast.seller) for i in range(10)]
    watcher = await ChatClient.open(cast.buyer)
    per_sender = 5

    async def talk(index, client):
        for n in range(per_sender):
            cid = f"s{index}-{n}"
            await client.send({"type": "send", "conversation": dialog.pk, "client_id": cid,
                               "body": cid})  # fmt: skip
            await client.next("ack")

    await asyncio.gather(*(talk(i, c) for i, c in enumerate(senders)))
    total = 10 * per_sender
    seen = await watcher.frames({"message"}, total)
    assert [f["seq"] for f in seen] == list(range(1, total + 1))
    assert sorted(f["message"]["client_id"] for f in seen) == sorted(
        f"s{i}-{n}" for i in range(10) for n in range(per_sender)
    )
    in_db = {seq: client_id for seq, _, client_id in await stored(dialog)}
    assert {f["seq"]: f["message"]["client_id"] for f in seen} == in_db
    # Every sender sees the same order too.
    for client in senders[:2]:
        got = [f for f in await client.nothing_but(QUIET | {"message", "ack"}, wait=1)]
        seqs = [f["seq"] for f in got if f["type"] == "message"]
        assert seqs == sorted(seqs)
    for client in [*senders, watcher]:
        await client.close()


async def test_resume_after_a_gap_delivers_exactly_the_missed_messages_in_order(cast, dialog):
    await send_as(cast.seller, dialog, "1")
    await send_as(cast.seller, dialog, "2")
    buyer = await ChatClient.open(cast.buyer)
    await buyer.close()  # offline while five more arrive
    for n in range(3, 8):
        await send_as(cast.seller, dialog, str(n))
    buyer = await ChatClient.open(cast.buyer)
    await buyer.send({"type": "resume", "conversation": dialog.pk, "last_seq": 2})
    frames = await buyer.nothing_but(QUIET | {"message", "resumed"}, wait=1)
    messages = [f for f in frames if f["type"] == "message"]
    assert [m["message"]["body"] for m in messages] == ["3", "4", "5", "6", "7"]
    resumed = next(f for f in frames if f["type"] == "resumed")
    assert resumed["last_seq"] == 7 and resumed["read"] == {"buyer": 0, "store": 7}
    await send_as(cast.seller, dialog, "8")
    assert (await buyer.next("message"))["seq"] == 8
    await buyer.close()


async def test_resume_from_further_back_than_the_replay_window_asks_to_resync(
    cast, dialog, settings
):
    settings.CHAT_REPLAY_MAX = 3
    for n in range(5):
        await send_as(cast.seller, dialog, str(n))
    buyer = await ChatClient.open(cast.buyer)
    await buyer.send({"type": "resume", "conversation": dialog.pk, "last_seq": 1})
    resync = await buyer.next("resync")
    assert resync == {"type": "resync", "conversation": dialog.pk, "last_seq": 5}
    assert (await buyer.next("resumed"))["last_seq"] == 5
    await buyer.close()


async def test_an_event_the_layer_dropped_is_filled_from_the_database(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    await buyer.send({"type": "resume", "conversation": dialog.pk, "last_seq": 0})
    await buyer.next("resumed")
    await send_as(cast.seller, dialog, "1")
    assert (await buyer.next("message"))["seq"] == 1

    @database_sync_to_async
    def committed_without_event():
        # As if its event was dropped by a full channel layer: the row is there, nobody was told.
        Message.objects.create(conversation=dialog, seq=2, sender=cast.seller, from_store=True,
                               body="2", created_at=dialog.created_at)  # fmt: skip
        Conversation.objects.filter(pk=dialog.pk).update(last_seq=2)

    await committed_without_event()
    await send_as(cast.seller, dialog, "3")
    frames = await buyer.frames({"message"}, 2)
    assert [(f["seq"], f["message"]["body"]) for f in frames] == [(2, "2"), (3, "3")]
    await buyer.close()


async def test_a_message_posted_over_http_reaches_a_connected_socket(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    seller = await database_sync_to_async(client_for)(cast.seller)
    url = reverse("messaging:conversation", args=[dialog.pk])
    response = await database_sync_to_async(seller.post)(url, {"body": "Отправили сегодня"})
    assert response.status_code == 302
    frame = await buyer.next("message")
    assert frame["message"]["body"] == "Отправили сегодня" and frame["own"] is False
    await buyer.close()


async def test_a_photo_uploaded_first_is_sent_by_its_id_and_others_photos_are_not_found(
    cast, dialog
):
    @database_sync_to_async
    def uploaded(owner):
        return attachment_create_from_upload(owner=owner, upload=upload(photo_bytes())).pk

    mine, theirs = await uploaded(cast.buyer), await uploaded(cast.other_buyer)
    buyer = await ChatClient.open(cast.buyer)
    await buyer.send({"type": "send", "conversation": dialog.pk, "client_id": "stolen",
                      "body": "", "attachments": [theirs]})  # fmt: skip
    assert (await buyer.next("error"))["code"] == "not_found"
    await buyer.send({"type": "send", "conversation": dialog.pk, "client_id": "photo",
                      "body": "", "attachments": [mine]})  # fmt: skip
    photos = (await buyer.next("ack"))["message"]["attachments"]
    assert [p["id"] for p in photos] == [mine] and photos[0]["thumbnail_url"]
    await buyer.send({"type": "send", "conversation": dialog.pk, "client_id": "many",
                      "body": "x", "attachments": list(range(1, 12))})  # fmt: skip
    assert (await buyer.next("error"))["code"] == "invalid"
    assert [seq for seq, _, _ in await stored(dialog)] == [1]
    await buyer.close()


async def test_a_conversation_started_after_connecting_reaches_the_open_socket_at_once(cast):
    seller = await ChatClient.open(cast.seller)
    assert seller.hello["unread"] == 0

    @database_sync_to_async
    def new_buyer_writes():
        conversation = services.conversation_open(actor=cast.other_buyer, store=cast.store)
        services.message_send(actor=cast.other_buyer, conversation=conversation, body="Первое")
        return conversation

    conversation = await new_buyer_writes()
    frame = await seller.next("message")
    assert frame["conversation"] == conversation.pk and frame["message"]["body"] == "Первое"
    assert frame["seq"] == 1 and frame["own"] is False
    await send_as(cast.other_buyer, conversation, "Второе")
    frame = await seller.next("message")
    assert frame["seq"] == 2 and frame["message"]["body"] == "Второе"
    await seller.close()


async def test_a_socket_hears_only_its_own_users_conversations(cast, dialog):
    """Another store's seller and another buyer are in other groups and hear nothing."""
    outsider = await ChatClient.open(cast.other_seller)
    other_buyer = await ChatClient.open(cast.other_buyer)
    await send_as(cast.buyer, dialog, "Только для «Уютного дома»")
    await send_as(cast.seller, dialog, "Ответ")
    for client in (outsider, other_buyer):
        frames = await client.nothing_but(QUIET | {"message", "read"}, wait=1)
        assert [f for f in frames if f["type"] in {"message", "read", "presence"}] == []
        await client.close()


# --- the notifications bell -------------------------------------------------------------------


@database_sync_to_async
def notify_in_transaction(user, *, roll_back: bool = False) -> None:
    class Boom(Exception):
        pass

    try:
        with transaction.atomic():
            notify(recipients=[user], kind="dispute_opened", link="/disputes/1/", params={})
            if roll_back:
                raise Boom
    except Boom:
        pass


async def test_a_committed_notification_reaches_the_recipients_socket_as_the_bell_frame(cast):
    seller = await ChatClient.open(cast.seller)
    buyer = await ChatClient.open(cast.buyer)
    await notify_in_transaction(cast.seller, roll_back=True)
    await notify_in_transaction(cast.seller)
    bell = await seller.next("notifications")
    assert bell == {
        "type": "notifications",
        "unread": 1,
        "id": bell["id"],
        "kind": "dispute_opened",
    }
    assert await seller.nothing_but(QUIET - {"notifications"}) == []  # the rolled-back one: none
    assert await buyer.nothing_but(QUIET - {"notifications"}) == []  # not someone else's
    await database_sync_to_async(notifications_mark_all_read)(actor=cast.seller)
    assert await seller.next("notifications") == {"type": "notifications", "unread": 0}
    await seller.close()
    await buyer.close()


async def test_a_frame_racing_the_clients_close_is_dropped_and_stops_further_frames():
    """The server refuses a send after the client closed, before the consumer hears of it."""
    consumer = ChatConsumer()
    consumer.is_open = True
    refused = []

    async def closed_socket(message):
        refused.append(message)
        raise RuntimeError("Unexpected ASGI message 'websocket.send' after 'websocket.close'")

    consumer.base_send = closed_socket
    await consumer._frame({"type": "ping"})
    await consumer._frame({"type": "ping"})
    assert consumer.is_open is False and len(refused) == 1


async def test_events_reach_a_socket_while_the_database_thread_is_busy(cast, dialog):
    """The database thread runs sends and HTTP requests; relaying an event must not queue
    behind them (it used to, for channels' connection check before every event)."""
    seller = await ChatClient.open(cast.seller)
    busy, release = threading.Event(), threading.Event()

    def long_request():
        busy.set()
        release.wait(10)

    blocked = asyncio.ensure_future(sync_to_async(long_request, thread_sensitive=True)())
    await asyncio.get_running_loop().run_in_executor(None, busy.wait, 10)
    try:
        await get_channel_layer().group_send(
            store_group(cast.store.pk),
            {"type": "chat.typing", "conversation": dialog.pk, "user": cast.buyer.pk,
             "name": "Buyer", "from_store": False},
        )  # fmt: skip
        frame = await seller.next("typing", timeout=5)
        assert frame["conversation"] == dialog.pk
        assert not blocked.done()  # heard while the database thread was still taken
    finally:
        release.set()
        await blocked
    await seller.close()


@database_sync_to_async
def notification_of(user) -> int:
    return Notification.objects.get(recipient=user).pk


async def test_a_message_carries_its_readers_bell_in_the_same_frame(cast, dialog):
    buyer = await ChatClient.open(cast.buyer)
    seller = await ChatClient.open(cast.seller)
    await buyer.send(
        {"type": "send", "conversation": dialog.pk, "client_id": "c-1", "body": "Есть?"}
    )
    assert "notifications" not in await buyer.next("ack")
    message = await seller.next("message")
    assert message["notifications"] == {
        "unread": 1, "id": await notification_of(cast.seller), "kind": "message_new"
    }  # fmt: skip
    await send_as(cast.seller, dialog, "Есть")
    reply = await buyer.next("message")
    assert reply["notifications"] == {
        "unread": 1, "id": await notification_of(cast.buyer), "kind": "message_new"
    }  # fmt: skip
    echo = await seller.next("message")
    assert echo["own"] is True and "notifications" not in echo
    # no bell frame apart, and none for the writer of either message
    for client in (buyer, seller):
        await client.nothing_but(QUIET - {"notifications"})  # asserts only these arrive
    await buyer.close()
    await seller.close()


async def test_a_socket_that_has_the_message_already_still_gets_its_bell(cast, dialog, monkeypatch):
    seller = await ChatClient.open(cast.seller)
    held = []
    publish = realtime.publish
    monkeypatch.setattr(realtime, "publish", lambda group, event: held.append((group, event)))
    await send_as(cast.buyer, dialog, "Есть?")
    monkeypatch.setattr(realtime, "publish", publish)
    await seller.send({"type": "resume", "conversation": dialog.pk, "last_seq": 0})
    replayed = await seller.next("message")
    assert replayed["seq"] == 1 and "notifications" not in replayed
    await database_sync_to_async(lambda: [publish(group, event) for group, event in held])()
    assert await seller.next("notifications") == {
        "type": "notifications", "unread": 1, "id": await notification_of(cast.seller),
        "kind": "message_new",
    }  # fmt: skip
    assert [
        f for f in await seller.nothing_but(QUIET | {"message"}) if f["type"] == "message"
    ] == []
    await seller.close()
