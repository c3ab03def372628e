"""Several server processes: a message sent through one reaches a socket on another (Redis)."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from websockets.sync.client import ClientConnection

from parley.accounts.services import api_token_create
from parley.messaging import services
from parley.messaging.models import Message

from .chat_client import served_chat

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs REDIS_URL: several server processes share the Redis channel layer",
    ),
]

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_env() -> dict[str, str]:
    """Point the server processes at the test database, which they must be able to open."""
    db = connection.settings_dict
    if settings.DATABASE_IS_POSTGRES:
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        auth = db.get("USER") or ""
        if db.get("PASSWORD"):
            auth += f":{db['PASSWORD']}"
        return {"DATABASE_URL": f"postgres://{auth}@{host}:{port}/{db['NAME']}"}
    name = str(db["NAME"])
    if "memory" in name or name == ":memory:":
        pytest.skip("the test database is in memory; server processes cannot share it")
    return {"SQLITE_PATH": name}


@pytest.fixture
def two_servers() -> Iterator[list[int]]:
    env = {**os.environ, **_database_env(), "REDIS_URL": settings.REDIS_URL,
           "ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "parley.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"uvicorn on {port} did not start") from None
                    time.sleep(0.1)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def _next(ws: ClientConnection, kind: str) -> dict:
    deadline = time.monotonic() + 15
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == kind:
            return frame


def test_a_message_sent_through_one_process_reaches_a_socket_on_another(cast, two_servers):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    buyer_token = api_token_create(user=cast.buyer, name="a")[1]
    seller_token = api_token_create(user=cast.seller, name="b")[1]
    first, second = two_servers
    with served_chat(first, buyer_token) as buyer, served_chat(second, seller_token) as seller:
        seller.send(json.dumps({"type": "send", "conversation": conversation.pk,
                                "client_id": "across", "body": "Через Redis"}))  # fmt: skip
        ack = _next(seller, "ack")
        frame = _next(buyer, "message")
        assert frame["message"]["id"] == ack["id"]
        assert frame["message"]["body"] == "Через Redis" and frame["seq"] == 1
        buyer.send(json.dumps({"type": "typing", "conversation": conversation.pk}))
        assert _next(seller, "typing")["user"] == cast.buyer.pk
    assert Message.objects.filter(conversation=conversation).count() == 1
