"""A test client for the chat socket: connect as a user, send frames, wait for frame types."""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from websockets.sync.client import ClientConnection, connect

from parley.accounts.models import User
from parley.accounts.services import api_token_create
from parley.asgi import application

PATH = "/ws/chat/"
ORIGIN = (b"origin", b"http://127.0.0.1")
QUIET = {"ping", "presence", "delivered", "typing", "unread", "notifications"}


@pytest.fixture(autouse=True)
async def isolated_channels():
    """Each test runs in its own event loop: a Redis layer's connections belong to one loop,
    and the consumers' database connection lives in the sync worker thread, closed at the end
    so the test database can be dropped."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    await database_sync_to_async(connections.close_all)()


@database_sync_to_async
def token_for(user: User) -> str:
    return api_token_create(user=user, name="chat test")[1]


class ChatClient:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.hello: dict[str, Any] = {}

    @classmethod
    async def open(cls, user: User, **kwargs: Any) -> "ChatClient":
        token = await token_for(user)
        headers = [ORIGIN, (b"authorization", f"Bearer {token}".encode())]
        client = cls(WebsocketCommunicator(application, PATH, headers=headers, **kwargs))
        connected, code = await client.communicator.connect(timeout=10)
        assert connected, code
        client.hello = await client.next("hello")
        return client

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def frame(self, timeout: float = 10) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def next(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        """The next frame of this type; other frames in between are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.frame(timeout)
                if frame["type"] == kind:
                    return frame

    async def frames(self, kinds: set[str], count: int, timeout: float = 30) -> list[dict]:
        found = []
        async with asyncio.timeout(timeout):
            while len(found) < count:
                frame = await self.frame(timeout)
                if frame["type"] in kinds:
                    found.append(frame)
        return found

    async def nothing_but(self, kinds: set[str], wait: float = 0.3) -> list[dict]:
        """Everything that arrives within ``wait`` seconds, asserting it is only of ``kinds``."""
        seen = []
        while True:
            if await self.communicator.receive_nothing(timeout=wait):
                return seen
            frame = await self.frame()
            assert frame["type"] in kinds, frame
            seen.append(frame)

    async def close(self) -> None:
        await self.communicator.disconnect()


@contextmanager
def served_chat(port: int, token: str) -> Iterator[ClientConnection]:
    """The chat socket of a real server on ``port``, past its ``hello``."""
    with connect(
        f"ws://127.0.0.1:{port}/ws/chat/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Authorization": f"Bearer {token}"},
        open_timeout=10,
    ) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"
        yield ws
