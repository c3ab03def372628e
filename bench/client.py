"""The load client: one asyncio process that drives Parley and the floor with the same phases.

A ``Target`` says where each operation lives on a server; everything else is shared. Senders
are closed-loop (send, wait for the ack, send the next), so latency and throughput come from
the same messages. Receivers record every message frame; a phase ends by checking that each
receiver got exactly what was sent to it, in order. Every wait has a timeout and every loop a
count and a deadline.
"""

import asyncio
import contextlib
import itertools
import json
import re
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.scenario import body

# What a read phase may check in an answer's body: the problems it found, empty when right.
Check = Callable[[bytes], list[str]]
CHECKED_ANSWERS = 5
MARK = re.compile(r"<mark>(.*?)</mark>")
WORD = re.compile(r"[^\W_]+")

ACK_TIMEOUT = 10.0
# What a sender records and stops on; anything else is a bug in the harness and ends the phase.
SEND_FAILURES = (TimeoutError, RuntimeError, ConnectionClosed, OSError, asyncio.IncompleteReadError)
DRAIN_TIMEOUT = 15.0
CONNECT_TIMEOUT = 20.0


@dataclass(frozen=True)
class Target:
    """Where a server keeps each operation the benchmark uses."""

    name: str
    host: str
    ws_path: str | None  # None: the server has no live chat (yet)
    send_path: str  # formatted with {conversation}
    history_path: str  # formatted with {conversation}
    center_path: str
    subprotocols: tuple[str, ...] = ()
    search_path: str | None = None  # formatted with {query}; None: the server has no search

    def search(self, query: str) -> str | None:
        return None if self.search_path is None else self.search_path.format(query=quote(query))


def percentiles(samples: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 in milliseconds (nearest rank), None without samples."""
    if not samples:
        return {"p50": None, "p95": None, "p99": None, "n": 0}
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 3)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "n": len(ordered)}


class Http:
    """A minimal keep-alive HTTP/1.1 client (Content-Length or chunked responses)."""

    def __init__(self, host: str, token: str) -> None:
        self.host, self.token = host, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, payload: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            address, port = self.host.split(":")
            self.reader, self.writer = await asyncio.open_connection(address, int(port))
        assert self.reader is not None
        data = b"" if payload is None else json.dumps(payload).encode()
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}",
            f"Authorization: Bearer {self.token}",
            f"Content-Length: {len(data)}",
            *(f"{k}: {v}" for k, v in (headers or {}).items()),
        ]
        if payload is not None:
            lines.append("Content-Type: application/json")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        content = b""
        while size := int((await self.reader.readline()).strip(), 16):
            content += await self.reader.readexactly(size + 2)
            content = content[:-2]
        await self.reader.readline()
        return status, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Peer:
    """One authenticated socket: resolves acks by client id and records message frames."""

    socket: ClientConnection
    conversation: int | None = None
    acks: dict[str, asyncio.Future] = field(default_factory=dict)
    received: list[tuple[float, int, str]] = field(default_factory=list)  # (at, seq, body)
    reader: asyncio.Task | None = None

    @classmethod
    async def open(cls, target: Target, token: str) -> "Peer":
        socket = await connect(
            f"ws://{target.host}{target.ws_path}",
            origin=f"http://{target.host}",
            additional_headers={"Authorization": f"Bearer {token}"},
            subprotocols=list(target.subprotocols) or None,
            compression=None,
            ping_interval=None,
            open_timeout=CONNECT_TIMEOUT,
            max_size=2**22,
        )
        hello = json.loads(await asyncio.wait_for(socket.recv(), CONNECT_TIMEOUT))
        if hello.get("type") != "hello":
            raise RuntimeError(f"expected hello, got {hello}")
        peer = cls(socket)
        peer.reader = asyncio.create_task(peer._read())
        return peer

    async def _read(self) -> None:
        """Until the socket closes; a server that drops it shows as missing acks and messages."""
        with contextlib.suppress(ConnectionClosed):
            await self._read_frames()

    async def _read_frames(self) -> None:
        async for text in self.socket:
            at = time.perf_counter()
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "ping":  # Parley's heartbeat: a silent socket would be closed
                with contextlib.suppress(ConnectionClosed):  # a ping racing our close
                    await self.socket.send('{"type": "pong"}')
            elif kind == "ack":
                future = self.acks.pop(frame["client_id"], None)
                if future is not None and not future.done():
                    future.set_result(at)
            elif (
                kind == "message"
                and not frame.get("own")
                and frame["conversation"] == self.conversation
            ):
                self.received.append((at, frame["seq"], frame["message"]["body"]))

    async def send(self, conversation: int, text: str) -> float:
        """Send and wait for the ack; return the ack's arrival time."""
        client_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self.acks[client_id] = future
        frame = {"type": "send", "conversation": conversation, "client_id": client_id}
        await self.socket.send(json.dumps({**frame, "body": text}, ensure_ascii=False))
        return await asyncio.wait_for(future, ACK_TIMEOUT)

    async def close(self) -> None:
        await self.socket.close()
        if self.reader is not None:
            await asyncio.wait_for(self.reader, CONNECT_TIMEOUT)


async def open_peers(
    target: Target, tokens: list[str], batch: int = 50, seconds: float = CONNECT_TIMEOUT * 6
) -> list[Peer]:
    """Open a socket per token, ``batch`` at a time, until all are open or ``seconds`` pass.

    Raise if any is refused; ``open_many`` is the lenient variant for the idle phase."""
    peers, failures = await open_many(target, tokens, batch, seconds)
    if failures:
        await close_peers(peers)
        raise RuntimeError(f"{len(failures)} sockets not opened, first: {failures[0]}")
    return peers


async def open_many(
    target: Target, tokens: list[str], batch: int, seconds: float
) -> tuple[list[Peer], list[str]]:
    """The sockets that opened and why the others did not."""
    peers: list[Peer] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    for start in range(0, len(tokens), batch):
        if time.monotonic() > deadline:
            break
        chunk = tokens[start : start + batch]
        for outcome in await asyncio.gather(
            *(Peer.open(target, t) for t in chunk), return_exceptions=True
        ):
            if isinstance(outcome, Peer):
                peers.append(outcome)
            else:
                failures.append(repr(outcome))
    return peers, failures


async def close_peers(peers: list[Peer], batch: int = 200) -> None:
    for start in range(0, len(peers), batch):
        await asyncio.gather(*(p.close() for p in peers[start : start + batch]))


async def send_phase(
    target: Target,
    pairs: list[dict[str, Any]],
    *,
    label: str,
    senders: int,
    messages: int,
    seconds: float,
    over: str,
    cpu: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """``senders`` buyers each send up to ``messages / senders`` messages (``over`` "ws" or
    "http") to their own store, whose seller's socket receives them; bounded by ``seconds``.

    ``cpu`` reads the server's CPU seconds: its use from the first send to the last delivery,
    per message, is a steadier figure than throughput, which also depends on the client. The
    client's own CPU per message, measured alike, shows whether the client was the limit."""
    chosen = pairs[:senders]
    live = target.ws_path is not None
    receivers = await open_peers(target, [p["seller"] for p in chosen]) if live else []
    for receiver, pair in zip(receivers, chosen, strict=False):
        receiver.conversation = pair["conversation"]
    if over == "ws":
        senders_io: list[Any] = await open_peers(target, [p["buyer"] for p in chosen])
    else:
        senders_io = [Http(target.host, p["buyer"]) for p in chosen]
    sent: list[list[str]] = [[] for _ in chosen]
    # A send that timed out may still be stored and delivered: the receiver may end with it.
    unacked: list[list[str]] = [[] for _ in chosen]
    sent_at: dict[str, float] = {}
    ack_latency: list[float] = []
    errors: list[str] = []
    per_sender = max(1, messages // senders)
    deadline = time.perf_counter() + seconds

    async def sender(index: int) -> None:
        conversation = chosen[index]["conversation"]
        io = senders_io[index]
        for n in range(per_sender):
            if time.perf_counter() > deadline:
                return
            text = f"{label}-{index}-{n} {body(index, n)}"
            started = time.perf_counter()
            sent_at[text] = started
            try:
                if over == "ws":
                    acked = await io.send(conversation, text)
                else:
                    status, _ = await asyncio.wait_for(
                        io.request(
                            "POST",
                            target.send_path.format(conversation=conversation),
                            {"body": text},
                            {"Idempotency-Key": uuid.uuid4().hex},
                        ),
                        ACK_TIMEOUT,
                    )
                    acked = time.perf_counter()
                    if status not in (200, 201):
                        raise RuntimeError(f"HTTP {status}")
            except SEND_FAILURES as failure:
                errors.append(f"sender {index} message {n}: {failure!r}")
                unacked[index].append(text)
                return
            sent[index].append(text)
            ack_latency.append(acked - started)

    cpu_before = cpu() if cpu else None
    client_before = time.process_time()
    began = time.perf_counter()
    await asyncio.gather(*(sender(i) for i in range(len(chosen))))
    acked_all = time.perf_counter()
    total = sum(len(s) for s in sent)
    drained = time.perf_counter() + DRAIN_TIMEOUT
    while live and time.perf_counter() < drained:
        if sum(len(r.received) for r in receivers) >= total:
            break
        await asyncio.sleep(0.01)
    finished = max([acked_all, *(r.received[-1][0] for r in receivers if r.received)])
    cpu_used = cpu() - cpu_before if cpu and cpu_before is not None else None
    client_used = time.process_time() - client_before
    lost, disorder = 0, 0
    delivery: list[float] = []
    for receiver, texts, late in zip(receivers, sent, unacked, strict=False):
        got = [b for _, _, b in receiver.received]
        lost += len(set(texts) - set(got))
        seqs = [s for _, s, _ in receiver.received]
        if got not in (texts, texts + late) or any(b - a != 1 for a, b in itertools.pairwise(seqs)):
            disorder += 1
        delivery += [at - sent_at[b] for at, _, b in receiver.received if b in sent_at]
    await close_peers(receivers)
    if over == "ws":
        await close_peers(senders_io)
    else:
        await asyncio.gather(*(h.close() for h in senders_io))
    elapsed = finished - began
    return {
        "over": over,
        "senders": senders,
        "messages": total,
        "seconds": round(elapsed, 3),
        "throughput": round(total / elapsed, 1) if elapsed > 0 else None,
        "server_cpu_ms": round(1000 * cpu_used / total, 3) if cpu_used and total else None,
        "client_cpu_ms": round(1000 * client_used / total, 3) if total else None,
        "send_ms": percentiles(ack_latency),
        "delivery_ms": percentiles(delivery) if live else None,
        "lost": lost if live else None,
        "out_of_order_receivers": disorder if live else None,
        "errors": errors[:5],
    }


async def read_phase(
    target: Target,
    token: str,
    path: str,
    *,
    count: int,
    seconds: float,
    check: Check | None = None,
) -> dict[str, Any]:
    """Sequential GETs of one page: latency percentiles (every answer must be 200); ``check``
    looks at the first few answers' bodies, outside the timed part."""
    http = Http(target.host, token)
    samples: list[float] = []
    failures = 0
    problems: list[str] = []
    checked = 0
    deadline = time.perf_counter() + seconds
    try:
        for _ in range(count):
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            status, content = await asyncio.wait_for(http.request("GET", path), ACK_TIMEOUT)
            if status != 200:
                failures += 1
                continue
            samples.append(time.perf_counter() - started)
            if check is not None and checked < CHECKED_ANSWERS:
                checked += 1
                problems += check(content)
    finally:
        await http.close()
    result = {"ms": percentiles(samples), "failures": failures, "mean_ms": _mean_ms(samples)}
    if check is not None:
        result |= {"checked_answers": checked, "wrong": len(problems), "problems": problems[:5]}
    return result


def search_check(forms: tuple[str, ...], store: str | None = None) -> Check:
    """A check of a search answer: hits found, each highlighting one of ``forms`` in its text
    (so every hit holds the query word's stem), and, given ``store``, all from that store."""
    wanted = {f.lower() for f in forms}

    def check(content: bytes) -> list[str]:
        items = json.loads(content).get("items") or []
        if not items:
            return ["no hits"]
        problems = []
        for item in items:
            said = {w.lower() for w in WORD.findall(item.get("body", ""))}
            marked = {m.lower() for m in MARK.findall(item.get("highlighted", ""))}
            if not said & wanted:
                problems.append(f"message {item.get('id')}: no form of the word in its text")
            if not marked or not marked <= wanted:
                problems.append(f"message {item.get('id')}: marked {sorted(marked)}")
            if store is not None and item.get("store") != store:
                problems.append(f"message {item.get('id')}: from store {item.get('store')!r}")
        return problems

    return check


def _mean_ms(samples: list[float]) -> float | None:
    return round(statistics.fmean(samples) * 1000, 3) if samples else None
