"""The floor: the least a chat server must do, as a bare ASGI app (uvicorn, no framework).

It authenticates a socket or request by a bearer token, stores each message in SQLite (WAL,
``synchronous=NORMAL`` like Parley) in its own transaction with the next per-conversation
``seq``, acknowledges it after commit and pushes it to the other participant's sockets. It also
answers the two reads the benchmark times: the newest messages of a conversation and a user's
conversations, newest first. Parley is measured against it: whatever Parley spends beyond
these figures is the price of its features and of its framework.

Run: ``FLOOR_DB=/tmp/floor.sqlite3 uvicorn bench.floor:app --lifespan off`` after
``python -m bench.floor_db`` (or ``bench.run``) has created the database.
"""

import json
import os
import sqlite3
import time
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs

from bench.floor_db import connect

Scope = dict[str, Any]

db: sqlite3.Connection | None = None
sockets: dict[int, set[Any]] = defaultdict(set)  # user id -> the ``send`` of each open socket


def database() -> sqlite3.Connection:
    global db
    if db is None:
        db = connect(os.environ["FLOOR_DB"])
    return db


def user_for(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"authorization" and value.startswith(b"Bearer "):
            row = (
                database()
                .execute("SELECT user_id FROM token WHERE key = ?", (value[7:].decode(),))
                .fetchone()
            )
            return row[0] if row else None
    return None


def store_message(user: int, conversation: int, body: str, client_id: str) -> dict | None:
    """Insert in one transaction; None when the user is not in the conversation."""
    con = database()
    with con:
        row = con.execute(
            "UPDATE conversation SET last_seq = last_seq + 1, last_message_at = ? "
            "WHERE id = ? AND ? IN (buyer_id, seller_id) RETURNING last_seq, buyer_id, seller_id",
            (time.time(), conversation, user),
        ).fetchone()
        if row is None:
            return None
        seq, buyer, seller = row
        created = time.time()
        message_id = con.execute(
            "INSERT INTO message (conversation_id, seq, sender_id, body, client_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (conversation, seq, user, body, client_id, created),
        ).lastrowid
    return {
        "id": message_id,
        "conversation": conversation,
        "seq": seq,
        "sender": user,
        "body": body,
        "client_id": client_id,
        "created_at": created,
        "to": seller if user == buyer else buyer,
    }


async def push(message: dict) -> None:
    frame = json.dumps({"type": "message", "conversation": message["conversation"],
                        "seq": message["seq"], "message": message})  # fmt: skip
    for send in list(sockets[message["to"]]):
        await send({"type": "websocket.send", "text": frame})


async def websocket(scope: Scope, receive: Any, send: Any) -> None:
    await receive()  # websocket.connect
    user = user_for(scope)
    if user is None:
        await send({"type": "websocket.close", "code": 4401})
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps({"type": "hello", "user": user})})
    sockets[user].add(send)
    try:
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            frame = json.loads(event.get("text") or "{}")
            if frame.get("type") != "send":
                continue
            message = store_message(
                user, int(frame["conversation"]), str(frame["body"]), str(frame["client_id"])
            )
            if message is None:
                await send({"type": "websocket.send", "text": '{"type": "error"}'})
                continue
            ack = {"type": "ack", "client_id": message["client_id"], "id": message["id"],
                   "seq": message["seq"], "conversation": message["conversation"]}  # fmt: skip
            await send({"type": "websocket.send", "text": json.dumps(ack)})
            await push(message)
    finally:
        sockets[user].discard(send)


async def respond(send: Any, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        event = await receive()
        body += event.get("body", b"")
        if not event.get("more_body"):
            return body


def newest_messages(user: int, conversation: int, limit: int) -> list[dict] | None:
    con = database()
    if not con.execute(
        "SELECT 1 FROM conversation WHERE id = ? AND ? IN (buyer_id, seller_id)",
        (conversation, user),
    ).fetchone():
        return None
    rows = con.execute(
        "SELECT id, seq, sender_id, body, created_at FROM message WHERE conversation_id = ? "
        "ORDER BY seq DESC LIMIT ?",
        (conversation, limit),
    ).fetchall()
    keys = ("id", "seq", "sender", "body", "created_at")
    return [dict(zip(keys, row, strict=True)) for row in reversed(rows)]


def conversations_of(user: int, limit: int) -> list[dict]:
    rows = (
        database()
        .execute(
            "SELECT id, buyer_id, seller_id, last_seq, last_message_at FROM conversation "
            "WHERE seller_id = ? OR buyer_id = ? ORDER BY last_message_at DESC LIMIT ?",
            (user, user, limit),
        )
        .fetchall()
    )
    keys = ("id", "buyer", "seller", "last_seq", "last_message_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


async def http(scope: Scope, receive: Any, send: Any) -> None:
    body = await read_body(receive)
    user = user_for(scope)
    if user is None:
        await respond(send, 401, {"code": "not_authenticated"})
        return
    parts = scope["path"].strip("/").split("/")
    query = parse_qs(scope["query_string"].decode())
    limit = min(int(query.get("limit", ["20"])[0]), 100)
    if parts == ["conversations"] and scope["method"] == "GET":
        await respond(send, 200, {"items": conversations_of(user, limit)})
        return
    if len(parts) == 3 and parts[0] == "conversations" and parts[2] == "messages":
        conversation = int(parts[1])
        if scope["method"] == "GET":
            items = newest_messages(user, conversation, limit)
            await respond(send, 404 if items is None else 200, {"items": items})
            return
        if scope["method"] == "POST":
            data = json.loads(body)
            key = dict(scope["headers"]).get(b"idempotency-key", b"").decode()
            message = store_message(user, conversation, str(data["body"]), key)
            if message is None:
                await respond(send, 404, {"code": "not_found"})
                return
            await respond(send, 201, message)
            await push(message)
            return
    await respond(send, 404, {"code": "not_found"})


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        await websocket(scope, receive, send)
    elif scope["type"] == "http":
        await http(scope, receive, send)
