"""Several messages in one transaction (``messages_send``) and the sockets' group commit
(``sending``): each draft keeps the rules and the outcome it would have alone."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from parley.accounts.services import api_token_create
from parley.core.errors import ErrorCode, ParleyError
from parley.core.realtime import collecting
from parley.messaging import sending, services
from parley.messaging.models import Message, ReadMarker
from parley.messaging.services import Draft, TokenHolder
from parley.notifications.models import Notification

from .factories import MembershipFactory, ProductFactory, UserFactory


@pytest.fixture
def dialogs(cast):
    """The buyer's and the other buyer's conversations with the store."""
    return (
        services.conversation_open(actor=cast.buyer, store=cast.store),
        services.conversation_open(actor=cast.other_buyer, store=cast.store),
    )


def stored(conversation) -> list[tuple[int, str, str | None]]:
    return list(conversation.messages.values_list("seq", "body", "client_id"))


def test_each_draft_gets_its_own_outcome_and_a_refusal_changes_nothing_for_the_others(
    cast, dialogs
):
    mine, theirs = dialogs
    outcomes = services.messages_send(
        [
            Draft(cast.buyer, mine.pk, "one", client_id="a"),
            Draft(cast.other_seller, mine.pk, "not my store"),
            Draft(cast.seller, mine.pk, "two"),
            Draft(cast.other_buyer, theirs.pk, "  "),
            Draft(cast.other_buyer, theirs.pk, "three"),
            Draft(cast.buyer, theirs.pk, "not my conversation"),
            Draft(cast.buyer, 10**9, "no such conversation"),
        ]
    )
    refusals = [o.code if isinstance(o, ParleyError) else None for o in outcomes]
    assert refusals == [None, "not_found", None, "invalid", None, "not_found", "not_found"]
    assert stored(mine) == [(1, "one", "a"), (2, "two", None)]
    assert stored(theirs) == [(1, "three", None)]
    mine.refresh_from_db()
    assert mine.last_seq == 2 and mine.first_reply_at == outcomes[2][0].created_at
    assert [m.pk for m, _ in (outcomes[0], outcomes[2], outcomes[4])] == list(
        Message.objects.order_by("pk").values_list("pk", flat=True)
    )


def test_a_sender_known_by_a_token_is_looked_up_in_the_batch_that_writes(cast, dialogs):
    """The API's send: tokens are looked up with the batch, in one statement for all of them;
    a token nobody holds, or a deactivated user's, is refused and writes nothing."""
    mine, theirs = dialogs
    _, buyers = api_token_create(user=cast.buyer)
    _, other_buyers = api_token_create(user=cast.other_buyer)
    _, inactive = api_token_create(user=UserFactory(is_active=False))
    drafts = [
        Draft(TokenHolder(buyers), mine.pk, "by token"),
        Draft(TokenHolder("nobody-holds-this"), mine.pk, "unknown token"),
        Draft(cast.seller, mine.pk, "by session"),
        Draft(TokenHolder(inactive), mine.pk, "a deactivated user"),
        Draft(TokenHolder(other_buyers), theirs.pk, "theirs"),
        Draft(TokenHolder(buyers), theirs.pk, "not my conversation"),
    ]
    with CaptureQueriesContext(connection) as queries:
        outcomes = services.messages_send(drafts)
    refusals = [o.code if isinstance(o, ParleyError) else None for o in outcomes]
    assert refusals == [None, "auth_failed", None, "auth_failed", None, "not_found"]
    assert outcomes[0][0].sender == cast.buyer and outcomes[4][0].sender == cast.other_buyer
    assert stored(mine) == [(1, "by token", None), (2, "by session", None)]
    assert stored(theirs) == [(1, "theirs", None)]
    token_lookups = [q for q in queries if "key_hash" in q["sql"] and "SELECT" in q["sql"]]
    assert len(token_lookups) == 1


def test_a_batch_of_unknown_tokens_writes_nothing(cast, dialogs):
    mine, _ = dialogs
    outcomes = services.messages_send([Draft(TokenHolder("wrong"), mine.pk, "x")])
    assert [o.code for o in outcomes] == ["auth_failed"]
    assert stored(mine) == []


def test_a_retried_key_in_the_same_batch_is_the_same_message(cast, dialogs):
    mine, _ = dialogs
    first, again, different = services.messages_send(
        [
            Draft(cast.buyer, mine.pk, "hello", client_id="k"),
            Draft(cast.buyer, mine.pk, "hello", client_id="k"),
            Draft(cast.buyer, mine.pk, "changed", client_id="k"),
        ]
    )
    assert first[1] is True and again == (first[0], False)
    assert isinstance(different, ParleyError) and different.code == ErrorCode.CONFLICT
    assert stored(mine) == [(1, "hello", "k")]


def test_a_batch_notifies_each_message_and_advances_each_senders_marker(cast, dialogs):
    colleague = UserFactory(username="colleague")
    MembershipFactory(store=cast.store, user=colleague)
    mine, theirs = dialogs
    services.messages_send(
        [
            Draft(cast.buyer, mine.pk, "b1"),
            Draft(cast.buyer, mine.pk, "b2"),
            Draft(cast.other_buyer, theirs.pk, "o1"),
            Draft(cast.seller, theirs.pk, "s1"),
        ]
    )
    told = sorted((n.recipient.username, n.params["text"]) for n in Notification.objects.all())
    assert told == sorted(
        [(who, text) for text in ("b1", "b2", "o1") for who in ("seller", "colleague")]
        + [("other_buyer", "s1")]
    )
    markers = dict(
        ReadMarker.objects.values_list("conversation_id", "user__username").annotate()
        .values_list("user__username", "last_read_seq")
    )  # fmt: skip
    assert markers == {"buyer": 2, "other_buyer": 1, "seller": 2}


def test_events_go_out_after_commit_in_each_conversations_order(
    cast, dialogs, django_capture_on_commit_callbacks
):
    mine, theirs = dialogs
    drafts = [Draft(cast.buyer, mine.pk, f"m{n}") for n in range(3)]
    drafts.insert(1, Draft(cast.other_buyer, theirs.pk, "t"))

    def send_and_commit():
        with django_capture_on_commit_callbacks(execute=True):
            services.messages_send(drafts)

    _, events = collecting(send_and_commit)
    news = [
        (e["conversation"], e["seq"], e["message"]["body"], e["message"]["id"])
        for group, e in events
        if group.startswith("chat.store") and e["type"] == "message.new"
    ]
    assert [n[:3] for n in news] == [
        (mine.pk, 1, "m0"), (theirs.pk, 1, "t"), (mine.pk, 2, "m1"), (mine.pk, 3, "m2")
    ]  # fmt: skip
    assert all(Message.objects.get(pk=n[3]).body == n[2] for n in news)


def test_a_batch_costs_the_same_statements_as_one_message(cast, dialogs):
    mine, theirs = dialogs
    services.messages_send(
        [Draft(cast.buyer, mine.pk, "0"), Draft(cast.other_buyer, theirs.pk, "0")]
    )
    with CaptureQueriesContext(connection) as one:
        services.messages_send([Draft(cast.buyer, mine.pk, "1", client_id="x")])
    many = [
        Draft(user, conversation.pk, f"{n}", client_id=f"y{n}")
        for n in range(10)
        for user, conversation in ((cast.buyer, mine), (cast.other_buyer, theirs))
    ]
    with CaptureQueriesContext(connection) as batch:
        outcomes = services.messages_send(many)
    assert all(created for _, created in outcomes)
    assert len(batch) == len(one)


@pytest.mark.django_db(transaction=True)
def test_a_draft_the_database_refuses_fails_alone(cast, dialogs):
    """The product vanished after the draft was made: the foreign key fails at commit, the
    batch is retried draft by draft, and only that draft fails."""
    mine, _ = dialogs
    product = ProductFactory(store=cast.store)
    gone = ProductFactory(store=cast.store)
    type(gone).objects.filter(pk=gone.pk).delete()
    before, lost, after = services.messages_send(
        [
            Draft(cast.buyer, mine.pk, "before", product=product),
            Draft(cast.buyer, mine.pk, "about a deleted product", product=gone),
            Draft(cast.buyer, mine.pk, "after"),
        ]
    )
    assert isinstance(lost, IntegrityError)
    assert before[1] and after[1]
    assert stored(mine) == [(1, "before", None), (2, "after", None)]
    mine.refresh_from_db()
    assert mine.last_seq == 2


@pytest.mark.django_db(transaction=True)
async def test_sends_that_arrive_while_a_batch_is_written_share_one_transaction(
    cast, dialogs, batch_sizes
):
    mine, theirs = dialogs
    batches = batch_sizes
    drafts = [Draft(cast.buyer, mine.pk, f"b{n}", client_id=f"b{n}") for n in range(10)]
    drafts += [Draft(cast.other_buyer, theirs.pk, f"o{n}") for n in range(10)]
    drafts.append(Draft(cast.buyer, theirs.pk, "not mine"))
    outcomes = await asyncio.gather(*(sending.send(draft) for draft in drafts))
    assert sum(batches) == 21 and len(batches) < 21
    assert isinstance(outcomes[-1], ParleyError) and outcomes[-1].code == "not_found"
    assert [m.seq for m, _ in outcomes[:10]] == list(range(1, 11))
    assert [m.body for m, _ in outcomes[10:20]] == [f"o{n}" for n in range(10)]
    assert await sync_to_async(stored)(mine) == [(n + 1, f"b{n}", f"b{n}") for n in range(10)]


def test_a_batch_queues_one_email_job_per_recipient_and_conversation(
    cast, dialogs, django_capture_on_commit_callbacks
):
    mine, theirs = dialogs
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_send(
            [Draft(cast.buyer, mine.pk, f"b{n}") for n in range(3)]
            + [Draft(cast.other_buyer, theirs.pk, "o"), Draft(cast.seller, mine.pk, "s")]
        )
    jobs = DBTaskResult.objects.filter(task_path__endswith="email_notifications")
    assert sorted((job.args_kwargs["kwargs"]["recipient_id"], job.args_kwargs["kwargs"]["group"])
                  for job in jobs) == sorted(
        [(cast.seller.pk, f"conversation:{mine.pk}"), (cast.seller.pk, f"conversation:{theirs.pk}"),
         (cast.buyer.pk, f"conversation:{mine.pk}")]
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
async def test_a_batch_that_cannot_be_written_fails_its_senders_and_the_next_one_is_written(
    cast, dialogs, monkeypatch
):
    """The database going away mid-burst: every sender of that batch hears of it, and the queue
    goes on with the next batch instead of stalling."""
    mine, _ = dialogs
    write = sending.send.run
    failures = [RuntimeError("database is gone")]

    def once_broken(drafts):
        if failures:
            raise failures.pop()
        return write(drafts)

    monkeypatch.setattr(sending.send, "run", once_broken)
    lost = await asyncio.gather(
        *(sending.send(Draft(cast.buyer, mine.pk, f"{n}")) for n in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(outcome, RuntimeError) for outcome in lost)
    message, created = await sending.send(Draft(cast.buyer, mine.pk, "again"))
    assert created and message.seq == 1
    assert await sync_to_async(stored)(mine) == [(1, "again", None)]
