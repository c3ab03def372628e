"""The floor's SQLite schema and its seeding with the benchmark's scenario.

``python -m bench.floor_db PATH SCALE PLAN`` creates the database at PATH and writes the plan
(tokens and ids the load client needs) to PLAN.
"""

import sqlite3
import sys
import time
from typing import Any

from bench.scenario import Progress, Scenario, body, write_plan

SCHEMA = """
CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE token (key TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES user (id))
    WITHOUT ROWID;
CREATE TABLE conversation (
    id INTEGER PRIMARY KEY,
    buyer_id INTEGER NOT NULL REFERENCES user (id),
    seller_id INTEGER NOT NULL REFERENCES user (id),
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_message_at REAL
);
CREATE INDEX conversation_seller ON conversation (seller_id, last_message_at);
CREATE INDEX conversation_buyer ON conversation (buyer_id, last_message_at);
CREATE TABLE message (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id),
    seq INTEGER NOT NULL,
    sender_id INTEGER NOT NULL REFERENCES user (id),
    body TEXT NOT NULL,
    client_id TEXT,
    created_at REAL NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE UNIQUE INDEX message_client_id ON message (conversation_id, sender_id, client_id);
"""
BATCH = 10_000


def connect(path: str) -> sqlite3.Connection:
    """Open with the same durability Parley uses: WAL, ``synchronous=NORMAL``."""
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.isolation_level = "IMMEDIATE"  # ``with con:`` opens BEGIN IMMEDIATE … COMMIT
    return con


def seed(path: str, scenario: Scenario) -> dict[str, Any]:
    con = connect(path)
    con.executescript(SCHEMA)
    users = 1 + scenario.conversations + 2 * scenario.pairs
    with con:
        con.executemany(
            "INSERT INTO user (id, name) VALUES (?, ?)",
            ((i, f"user{i}") for i in range(1, users + 1)),
        )
        con.executemany(
            "INSERT INTO token (key, user_id) VALUES (?, ?)",
            ((f"floor-token-{i}", i) for i in range(1, users + 1)),
        )
    seller, buyers = 1, range(2, 2 + scenario.conversations)
    start = time.time() - 86_400
    counts = scenario.per_conversation()
    with con:
        con.executemany(
            "INSERT INTO conversation (id, buyer_id, seller_id, last_seq, last_message_at) "
            "VALUES (?, ?, ?, ?, ?)",
            ((i + 1, buyer, seller, counts[i], start + i) for i, buyer in enumerate(buyers)),
        )
    progress = Progress("floor messages", scenario.messages)
    rows: list[tuple] = []
    for index, count in enumerate(counts):
        conversation = index + 1
        buyer = 2 + index
        for seq in range(1, count + 1):
            sender = buyer if seq % 2 else seller
            rows.append((conversation, seq, sender, body(conversation, seq), start + index))
            if len(rows) >= BATCH:
                _insert_messages(con, rows)
                progress.advance(len(rows))
                rows = []
    _insert_messages(con, rows)
    progress.advance(len(rows))
    first_pair_user = 2 + scenario.conversations
    pairs = []
    with con:
        for p in range(scenario.pairs):
            buyer, pair_seller = first_pair_user + 2 * p, first_pair_user + 2 * p + 1
            cursor = con.execute(
                "INSERT INTO conversation (buyer_id, seller_id) VALUES (?, ?)", (buyer, pair_seller)
            )
            pairs.append(
                {
                    "buyer": f"floor-token-{buyer}",
                    "seller": f"floor-token-{pair_seller}",
                    "conversation": cursor.lastrowid,
                }
            )
    con.execute("ANALYZE")
    con.close()
    return {
        "pairs": pairs,
        "history": {"token": "floor-token-2", "conversation": 1},
        "center": {"token": f"floor-token-{seller}"},
        "idle": [f"floor-token-{b}" for b in buyers[: scenario.idle_sockets]],
    }


def _insert_messages(con: sqlite3.Connection, rows: list[tuple]) -> None:
    with con:
        con.executemany(
            "INSERT INTO message (conversation_id, seq, sender_id, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )


if __name__ == "__main__":
    write_plan(sys.argv[3], seed(sys.argv[1], Scenario.at(float(sys.argv[2]))))
