"""Senders at the same moment: seq stays gap-free and unique, a repeated key stores once."""

import threading

import pytest
from django.db import connection

from parley.messaging import services
from parley.messaging.models import Conversation, Message

from .factories import MembershipFactory, StoreFactory, UserFactory


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.fixture
def real_database(transactional_db) -> None:
    """In-memory SQLite shares one cache between threads and locks whole tables without
    waiting, unlike the file database Parley runs on (WAL, IMMEDIATE, busy timeout)."""
    if _in_memory_sqlite():
        pytest.skip("run on PostgreSQL or with SQLITE_TEST_PATH (a file database)")


def run_in_threads(count: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def target(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_senders_get_distinct_gap_free_seq(real_database):
    buyer, seller = UserFactory(), UserFactory()
    store = StoreFactory()
    MembershipFactory(store=store, user=seller)
    conversation = services.conversation_open(actor=buyer, store=store)

    def work(index: int) -> None:
        actor = buyer if index % 2 else seller
        fresh = Conversation.objects.get(pk=conversation.pk)
        for n in range(5):
            services.message_send(actor=actor, conversation=fresh, body=f"{index}-{n}")

    assert run_in_threads(4, work) == []
    seqs = sorted(Message.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 21))
    assert Conversation.objects.get(pk=conversation.pk).last_seq == 20


def test_parallel_retries_with_one_key_store_one_message(real_database):
    buyer = UserFactory()
    store = StoreFactory()
    MembershipFactory(store=store, user=UserFactory())
    conversation = services.conversation_open(actor=buyer, store=store)
    results = []

    def work(index: int) -> None:
        fresh = Conversation.objects.get(pk=conversation.pk)
        results.append(
            services.message_send(
                actor=buyer, conversation=fresh, body="Где посылка?", client_id="retry-1"
            )
        )

    assert run_in_threads(4, work) == []
    assert Message.objects.count() == 1
    assert sorted(created for _, created in results) == [False, False, False, True]


def test_batches_over_the_same_conversations_in_any_order_all_land(real_database):
    """Two server processes writing bursts that share conversations: each batch locks its
    conversations in one order, so neither waits for the other forever."""
    store = StoreFactory()
    MembershipFactory(store=store, user=UserFactory())
    buyers = [UserFactory() for _ in range(3)]
    dialogs = [services.conversation_open(actor=buyer, store=store) for buyer in buyers]
    outcomes = []

    def work(index: int) -> None:
        pairs = list(zip(buyers, dialogs, strict=True))
        for n in range(5):
            order = pairs if index % 2 else pairs[::-1]
            drafts = [services.Draft(b, d.pk, f"{index}-{n}") for b, d in order]
            outcomes.extend(services.messages_send(drafts))

    assert run_in_threads(4, work) == []
    assert all(isinstance(outcome, tuple) and outcome[1] for outcome in outcomes)
    for dialog in dialogs:
        seqs = sorted(Message.objects.filter(conversation=dialog).values_list("seq", flat=True))
        assert seqs == list(range(1, 21))
        assert Conversation.objects.get(pk=dialog.pk).last_seq == 20
