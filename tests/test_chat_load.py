"""Nothing is lost from a reader's view when the channel layer drops events.

32 sockets send 2,000 messages into one conversation as fast as their acks come back, with the
layer at its default capacity (100), which drops events for a receiver that falls behind. The
receiving client applies messages in ``seq`` order; on a gap it asks to resume from the last
number it has, after a quiet spell it resumes to pick up a lost tail, and on ``resync`` it
reads the rest over the HTTP API, as the chat window does.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from parley.messaging import services
from parley.messaging.models import Message

from .chat_client import (
    ChatClient,
    isolated_channels,  # noqa: F401  (autouse fixture)
)
from .conftest import bearer_for

pytestmark = pytest.mark.django_db(transaction=True)

SENDERS = 32
MESSAGES = 2000


class Reader:
    """What a chat window keeps: the messages in seq order, each once."""

    def __init__(self, client: ChatClient, conversation_id: int, api_headers: dict) -> None:
        self.client = client
        self.conversation_id = conversation_id
        self.api = Client(headers=api_headers)
        self.bodies: list[str] = []
        self.duplicates = 0
        self.gaps = 0
        self.resyncs = 0

    @property
    def last(self) -> int:
        return len(self.bodies)

    async def resume(self) -> None:
        await self.client.send(
            {"type": "resume", "conversation": self.conversation_id, "last_seq": self.last}
        )

    async def fetch_over_http(self) -> None:
        url = f"/api/v1/conversations/{self.conversation_id}/messages"
        while True:
            response = await database_sync_to_async(self.api.get)(
                url, {"after": self.last, "limit": 100}
            )
            page = response.json()
            for item in page["items"]:
                self.apply(item["seq"], item["body"])
            if not page["has_after"]:
                return

    def apply(self, seq: int, body: str) -> bool:
        """Append the next message; False when there is a gap before it."""
        if seq <= self.last:
            self.duplicates += 1
            return True
        if seq > self.last + 1:
            self.gaps += 1
            return False
        self.bodies.append(body)
        return True

    async def read_until(self, total: int, timeout: float) -> None:
        communicator = self.client.communicator
        async with asyncio.timeout(timeout):
            while self.last < total:
                if await communicator.receive_nothing(timeout=2):
                    await self.resume()
                    continue
                frame = await self.client.frame()
                if frame["type"] == "message":
                    if not self.apply(frame["seq"], frame["message"]["body"]):
                        await self.resume()
                elif frame["type"] == "resync":
                    self.resyncs += 1
                    await self.fetch_over_http()
                elif frame["type"] == "ping":  # as chat.js does; a silent socket is closed
                    await self.client.send({"type": "pong"})


async def test_2000_messages_from_32_senders_reach_the_reader_all_in_order(cast):
    conversation = await database_sync_to_async(services.conversation_open)(
        actor=cast.buyer, store=cast.store
    )
    headers = await database_sync_to_async(bearer_for)(cast.buyer)
    reader = Reader(await ChatClient.open(cast.buyer), conversation.pk, headers)
    senders = [await ChatClient.open(cast.seller if i % 2 else cast.buyer) for i in range(SENDERS)]

    async def talk(index: int, client: ChatClient) -> None:
        for n in range(index, MESSAGES, SENDERS):
            await client.send({"type": "send", "conversation": conversation.pk,
                               "client_id": f"m{n}", "body": f"m{n}"})  # fmt: skip
            await client.next("ack", timeout=120)

    await reader.resume()  # as the chat window does: this conversation is the one on screen
    talking = asyncio.gather(*(talk(i, c) for i, c in enumerate(senders)))
    await reader.read_until(MESSAGES, timeout=600)
    await talking

    stored = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation=conversation)
            .order_by("seq")
            .values_list("body", flat=True)
        )
    )()
    assert len(stored) == MESSAGES
    assert reader.bodies == stored
    assert len(set(reader.bodies)) == MESSAGES
    for client in [reader.client, *senders]:
        await client.close()
