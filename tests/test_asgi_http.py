"""HTTP through the ASGI application the server runs, not the test client's WSGI handler:
the same middleware apply, and the API keeps its authentication and CSRF rules."""

import asyncio
import json
import threading
import zoneinfo

import pytest
from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator
from django.conf import settings
from django.core.signals import request_finished, request_started

from parley.asgi import application
from parley.attachments.services import attachment_create_from_upload
from parley.messaging import services
from parley.messaging.models import Message
from parley.messaging.payloads import store_group
from parley.notifications.models import Presence
from parley.notifications.services import user_group

from .conftest import bearer_for, client_for
from .images import photo_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


async def call(
    method: str, path: str, headers: dict[str, str], body: bytes = b"", app=application
) -> tuple[int, dict[str, str], bytes]:
    pairs = [(b"host", b"localhost")] + [
        (name.lower().encode(), value.encode()) for name, value in headers.items()
    ]
    communicator = HttpCommunicator(app, method, path, body=body, headers=pairs)
    response = await communicator.get_response(timeout=10)
    found = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    return response["status"], found, response["body"]


@pytest.fixture
def dialog(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    services.message_send(actor=cast.buyer, conversation=conversation, body="Здравствуйте")
    return conversation


@pytest.fixture
def session(cast) -> dict[str, str]:
    """The buyer's browser session cookie, without a CSRF token."""
    key = client_for(cast.buyer).session.session_key
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}


async def test_an_api_read_with_a_token_passes_the_middleware(cast, dialog):
    headers = await database_sync_to_async(bearer_for)(cast.buyer)
    path = f"/api/v1/conversations/{dialog.pk}/messages?limit=50"
    status, found, body = await call("GET", path, headers)
    assert status == 200
    assert [m["body"] for m in json.loads(body)["items"]] == ["Здравствуйте"]
    assert found["x-frame-options"] == "DENY"
    assert found["x-content-type-options"] == "nosniff"


async def test_a_session_post_to_the_api_needs_the_csrf_token(cast, dialog, session):
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    body = json.dumps({"body": "без токена"}).encode()
    status, _, _ = await call("POST", path, {**session, "content-type": "application/json"}, body)
    assert status == 403
    assert await database_sync_to_async(Message.objects.filter(body="без токена").exists)() is False


async def test_a_session_read_records_presence(cast, dialog, session):
    status, _, _ = await call("GET", "/api/v1/conversations", session)
    assert status == 200
    seen = Presence.objects.filter(user=cast.buyer).exists
    assert await database_sync_to_async(seen)()


async def test_a_page_answers_in_the_readers_time_zone(cast, dialog, session):
    """Vladivostok is 7 hours ahead of Moscow (the default) all year round."""
    users = type(cast.buyer).objects.filter(pk=cast.buyer.pk)
    await database_sync_to_async(users.update)(time_zone="Asia/Vladivostok")
    sent = await database_sync_to_async(Message.objects.get)(conversation=dialog)
    local = sent.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Vladivostok")).strftime("%H:%M")
    moscow = sent.created_at.astimezone(zoneinfo.ZoneInfo("Europe/Moscow")).strftime("%H:%M")
    status, _, body = await call("GET", f"/messages/{dialog.pk}/", session)
    assert status == 200
    assert local in body.decode()
    assert moscow not in body.decode()


async def test_a_message_posted_to_the_api_reaches_both_sides_sockets(cast, dialog):
    layer = get_channel_layer()
    seller_side, buyer_side = await layer.new_channel(), await layer.new_channel()
    await layer.group_add(store_group(cast.store.pk), seller_side)
    await layer.group_add(user_group(cast.buyer.pk), buyer_side)
    headers = await database_sync_to_async(bearer_for)(cast.buyer)
    headers["content-type"] = "application/json"
    body = json.dumps({"body": "Есть синий?"}).encode()
    status, _, _ = await call("POST", f"/api/v1/conversations/{dialog.pk}/messages", headers, body)
    assert status == 201
    for channel in (seller_side, buyer_side):
        event = await asyncio.wait_for(layer.receive(channel), timeout=5)
        assert (event["type"], event["seq"]) == ("message.new", 2)
        assert event["message"]["body"] == "Есть синий?"


async def test_requests_run_on_the_chat_sockets_database_thread(cast, dialog):
    """In arrival order on one thread: not polling SQLite's lock from threads of their own, nor
    crowding the event loop out of the interpreter with a thread each on PostgreSQL."""
    ran_on = []

    def note(**kwargs):
        ran_on.append(threading.get_ident())

    request_started.connect(note)
    try:
        headers = await database_sync_to_async(bearer_for)(cast.buyer)
        path = f"/api/v1/conversations/{dialog.pk}/messages?limit=50"
        statuses = await asyncio.gather(*(call("GET", path, headers) for _ in range(4)))
    finally:
        request_started.disconnect(note)
    database_thread = await database_sync_to_async(threading.get_ident)()
    assert [status for status, _, _ in statuses] == [200] * 4
    assert set(ran_on) == {database_thread}


async def traced(path: str, headers: dict[str, str], monkeypatch) -> tuple[list[str], int]:
    """What a GET sent out and when the request finished, in order, and how many trips it
    made to a worker thread."""
    trail: list[str] = []
    trips = 0
    handed_over = SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        nonlocal trips
        trips += 1
        return await handed_over(self, *args, **kwargs)

    def finished(**kwargs):
        trail.append("finished")

    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays until the answer is complete

    async def send(message):
        trail.append(message["type"].removeprefix("http.response."))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 5000), "server": ("localhost", 80),
        "headers": [(b"host", b"localhost")]
        + [(name.lower().encode(), value.encode()) for name, value in headers.items()],
    }  # fmt: skip
    monkeypatch.setattr(SyncToAsync, "__call__", counting)
    request_finished.connect(finished)
    try:
        await application(scope, receive, send)
    finally:
        request_finished.disconnect(finished)
        monkeypatch.undo()
    return trail, trips


async def test_a_request_makes_one_trip_to_the_database_thread_and_finishes_there(
    cast, dialog, monkeypatch
):
    """The request_started signal, the view and closing the response go together: a response
    in memory finishes before its bytes go out."""
    headers = await database_sync_to_async(bearer_for)(cast.buyer)
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    trail, trips = await traced(path, headers, monkeypatch)
    assert trail == ["finished", "start", "body"]
    assert trips == 1


async def test_a_streamed_file_finishes_after_its_last_bytes(cast, dialog, monkeypatch):
    def send_photo():
        photo = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes()))
        services.message_send(
            actor=cast.buyer, conversation=dialog, body="вот", attachments=[photo]
        )
        return photo, client_for(cast.buyer).session.session_key

    photo, key = await database_sync_to_async(send_photo)()
    cookie = {"cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}
    trail, _ = await traced(f"/messages/photos/{photo.pk}/", cookie, monkeypatch)
    assert trail[0] == "start" and trail[-1] == "finished"
    assert trail[1:-1] and set(trail[1:-1]) == {"body"}


async def test_a_post_without_a_session_or_with_a_wrong_token_is_401_not_a_csrf_refusal(
    cast, dialog, session
):
    """An integration with an expired token hears that it is not authenticated; a wrong token
    next to a valid session never falls back to the session."""
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    body = json.dumps({"body": "кто я?"}).encode()
    json_type = {"content-type": "application/json"}
    for headers in (json_type, {**json_type, **session, "authorization": "Bearer wrong"}):
        status, _, answer = await call("POST", path, headers, body)
        assert status == 401, answer
        assert json.loads(answer)["code"] == "not_authenticated"
    assert await database_sync_to_async(Message.objects.filter(body="кто я?").exists)() is False
