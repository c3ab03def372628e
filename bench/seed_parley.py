"""Migrate Parley's database and seed it with the benchmark's scenario, in bulk.

Run inside Parley's environment (``DJANGO_SETTINGS_MODULE``, ``SQLITE_PATH`` or
``DATABASE_URL``): ``python -m bench.seed_parley SCALE PLAN``. Users, stores, tokens and
conversations go through ``bulk_create``; the million messages through ``executemany`` on the
message table (building a model instance per row would double the seeding time). Both sides
have read everything, so unread counts are realistic rather than huge.

Search needs nothing extra: the index follows the message table by itself (on SQLite a trigger
fills the FTS5 table through the stemming function this connection registers, on PostgreSQL
the GIN expression index is maintained on insert), so the seeded messages are searchable as
soon as they are committed, like real ones. The plan records how many of them hold the search
phase's word.
"""

import secrets
import sys
from datetime import datetime, timedelta
from typing import Any

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.scenario import (  # noqa: E402
    SEARCH_WORD,
    Progress,
    Scenario,
    holds_search_word,
    sentence,
    words,
    write_plan,
)
from parley.accounts.models import ApiToken, User  # noqa: E402
from parley.accounts.services import hash_token  # noqa: E402
from parley.core.clock import now  # noqa: E402
from parley.marketplace.models import Store, StoreMembership  # noqa: E402
from parley.messaging.models import Conversation, Message, ReadMarker  # noqa: E402

BATCH = 5_000


def users(prefix: str, count: int) -> list[User]:
    """Users who cannot log in with a password (the benchmark uses API tokens)."""
    unusable = "!"
    return User.objects.bulk_create(
        (User(username=f"{prefix}{i}", password=unusable) for i in range(count)), batch_size=BATCH
    )


def tokens(people: list[User]) -> list[str]:
    raws = [secrets.token_urlsafe(24) for _ in people]
    ApiToken.objects.bulk_create(
        (
            ApiToken(user=u, name="bench", key_hash=hash_token(raw), prefix=raw[:8])
            for u, raw in zip(people, raws, strict=True)
        ),
        batch_size=BATCH,
    )
    return raws


def store(slug: str, owner: User) -> Store:
    shop = Store.objects.create(name=f"Магазин {slug}", slug=slug)
    StoreMembership.objects.create(store=shop, user=owner, role=StoreMembership.Role.OWNER)
    return shop


def seed(scenario: Scenario) -> dict[str, Any]:
    call_command("migrate", verbosity=0, interactive=False)
    start = now() - timedelta(days=30)
    with transaction.atomic():
        seller = users("bench-seller-", 1)[0]
        buyers = users("bench-buyer-", scenario.conversations)
        pair_buyers = users("bench-pbuyer-", scenario.pairs)
        pair_sellers = users("bench-pseller-", scenario.pairs)
        big = store("bench-big", seller)
        counts = scenario.per_conversation()
        Conversation.objects.bulk_create(
            (
                Conversation(
                    buyer=b,
                    store=big,
                    created_at=start,
                    last_seq=counts[i],
                    last_message_at=start + timedelta(seconds=i),
                    first_buyer_message_at=start,
                    first_reply_at=start,
                )
                for i, b in enumerate(buyers)
            ),
            batch_size=BATCH,
        )
        conversations = list(Conversation.objects.filter(store=big).order_by("id"))
        ReadMarker.objects.bulk_create(
            (
                ReadMarker(conversation=c, user=u, last_read_seq=c.last_seq)
                for c in conversations
                for u in (seller, c.buyer)
            ),
            batch_size=BATCH,
        )
        pairs = []
        for i, (b, s) in enumerate(zip(pair_buyers, pair_sellers, strict=True)):
            shop = store(f"bench-pair-{i}", s)
            pairs.append(Conversation.objects.create(buyer=b, store=shop, created_at=start))
        raw = dict(
            zip(
                [seller, *buyers, *pair_buyers, *pair_sellers],
                tokens([seller, *buyers, *pair_buyers, *pair_sellers]),
                strict=True,
            )
        )
    matching = _seed_messages(conversations, counts, seller, start)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    plan = {
        "pairs": [
            {"buyer": raw[b], "seller": raw[s], "conversation": c.pk}
            for b, s, c in zip(pair_buyers, pair_sellers, pairs, strict=True)
        ],
        "history": {"token": raw[buyers[0]], "conversation": conversations[0].pk},
        "center": {"token": raw[seller]},
        "idle": [raw[b] for b in buyers[: scenario.idle_sockets]],
    }
    if apps.is_installed("parley.search"):  # an older checkout (--parley-root) has no search
        from parley.search.engines import matching as search_condition

        # The seller reads every seeded message: the widest search a user can run. What the
        # index finds, through the app's own query, must equal what was seeded.
        plan["search"] = {
            "token": raw[seller],
            "query": SEARCH_WORD,
            "store": big.name,
            "matching": matching,
            "indexed": Message.objects.filter(search_condition(SEARCH_WORD)).count(),
            "readable": sum(counts),
        }
    return plan


def _seed_messages(
    conversations: list[Conversation], counts: list[int], seller: User, start: datetime
) -> int:
    """Insert every message; return how many hold a form of the search phase's word."""
    table = Message._meta.db_table
    columns = "conversation_id, seq, sender_id, from_store, body, context, client_id, created_at"
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, NULL, %s)"  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    progress = Progress("parley messages", sum(counts))
    rows: list[tuple] = []
    matching = 0
    with connection.cursor() as cursor:
        for conversation, count in zip(conversations, counts, strict=True):
            for seq in range(1, count + 1):
                from_store = seq % 2 == 0
                sender = seller.pk if from_store else conversation.buyer_id
                moment = adapt(start + timedelta(seconds=seq))
                chosen = words(conversation.pk, seq)
                matching += holds_search_word(chosen)
                text = sentence(chosen)
                rows.append((conversation.pk, seq, sender, from_store, text, "{}", moment))
                if len(rows) >= BATCH:
                    with transaction.atomic():
                        cursor.executemany(sql, rows)
                    progress.advance(len(rows))
                    rows = []
        with transaction.atomic():
            cursor.executemany(sql, rows)
        progress.advance(len(rows))
    return matching


if __name__ == "__main__":
    write_plan(sys.argv[2], seed(Scenario.at(float(sys.argv[1]))))
