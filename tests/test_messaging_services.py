"""Messaging services: opening, sending, idempotency, read markers, unread counts, reply time."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from parley.attachments.services import attachment_create_from_upload
from parley.core.errors import ParleyError
from parley.messaging import selectors, services
from parley.messaging.models import Conversation, Message
from parley.messaging.payloads import message_payload, store_group
from parley.notifications.models import Notification
from parley.notifications.services import user_group

from .factories import MembershipFactory, OrderFactory, ProductFactory, UserFactory
from .images import photo_bytes, upload


def open_and_send(cast, body="Здравствуйте!", **kwargs):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    message, _ = services.message_send(
        actor=cast.buyer, conversation=conversation, body=body, **kwargs
    )
    return conversation, message


def test_one_conversation_per_buyer_and_store(cast):
    first = services.conversation_open(actor=cast.buyer, store=cast.store)
    again = services.conversation_open(actor=cast.buyer, store=cast.store)
    other = services.conversation_open(actor=cast.other_buyer, store=cast.store)
    assert first.pk == again.pk != other.pk
    assert Conversation.objects.count() == 2


def test_seq_increases_without_gaps_across_both_sides(cast):
    conversation, first = open_and_send(cast)
    reply, created = services.message_send(actor=cast.seller, conversation=conversation, body="Да")
    third, _ = services.message_send(actor=cast.buyer, conversation=conversation, body="Спасибо")
    assert created and [first.seq, reply.seq, third.seq] == [1, 2, 3]
    assert (first.from_store, reply.from_store) == (False, True)
    conversation.refresh_from_db()
    assert conversation.last_seq == 3 and conversation.last_message_at == third.created_at


def test_idempotency_key_returns_the_original_and_refuses_a_different_body(cast):
    conversation, original = open_and_send(cast, client_id="key-1")
    again, created = services.message_send(
        actor=cast.buyer, conversation=conversation, body="Здравствуйте!", client_id="key-1"
    )
    assert (again.pk, created) == (original.pk, False)
    with pytest.raises(ParleyError) as refused:
        services.message_send(
            actor=cast.buyer, conversation=conversation, body="Другое", client_id="key-1"
        )
    assert refused.value.status == 409
    # The same key from the other side is a different message.
    _, created = services.message_send(
        actor=cast.seller, conversation=conversation, body="Ответ", client_id="key-1"
    )
    assert created and Message.objects.count() == 2


def test_retry_with_the_same_photo_reuploaded_is_the_same_message(cast):
    photo = photo_bytes()
    first = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo))
    conversation, original = open_and_send(cast, attachments=[first], client_id="k")
    second = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo))
    again, created = services.message_send(
        actor=cast.buyer, conversation=conversation, body="Здравствуйте!",
        attachments=[second], client_id="k",
    )  # fmt: skip
    assert (again.pk, created) == (original.pk, False)
    other = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes("PNG")))
    with pytest.raises(ParleyError):
        services.message_send(
            actor=cast.buyer, conversation=conversation, body="Здравствуйте!",
            attachments=[other], client_id="k",
        )  # fmt: skip


@pytest.mark.parametrize("key", ["", "a" * 65, "with space", "ключ"])
def test_bad_idempotency_keys_are_refused(cast, key):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with pytest.raises(ParleyError) as refused:
        services.message_send(actor=cast.buyer, conversation=conversation, body="x", client_id=key)
    assert refused.value.code == "invalid"


def test_empty_and_too_long_messages_are_refused_and_nothing_is_written(cast, settings):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with pytest.raises(ParleyError) as empty:
        services.message_send(actor=cast.buyer, conversation=conversation, body="   ")
    assert empty.value.code == "invalid"
    settings.MESSAGE_MAX_LENGTH = 10
    services.message_send(actor=cast.buyer, conversation=conversation, body="x" * 10)
    with pytest.raises(ParleyError) as long:
        services.message_send(actor=cast.buyer, conversation=conversation, body="x" * 11)
    assert "10" in str(long.value.message)
    assert Message.objects.count() == 1


def test_photo_only_message_and_attachment_rules(cast):
    mine = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes()))
    conversation, message = open_and_send(cast, body="", attachments=[mine])
    assert [link.attachment for link in message.photos.all()] == [mine]
    with pytest.raises(ParleyError):  # a photo goes into one message only
        services.message_send(
            actor=cast.buyer, conversation=conversation, body="", attachments=[mine]
        )
    theirs = attachment_create_from_upload(owner=cast.other_buyer, upload=upload(photo_bytes()))
    with pytest.raises(ParleyError) as foreign:
        services.message_send(
            actor=cast.buyer, conversation=conversation, body="x", attachments=[theirs]
        )
    assert foreign.value.status == 404


def test_outsiders_cannot_send_or_mark_read(cast):
    conversation, _ = open_and_send(cast)
    for outsider in (cast.other_buyer, cast.other_seller, cast.arbitrator):
        with pytest.raises(ParleyError) as refused:
            services.message_send(actor=outsider, conversation=conversation, body="spam")
        assert refused.value.status == 404
        with pytest.raises(ParleyError):
            services.conversation_mark_read(actor=outsider, conversation=conversation, up_to_seq=1)
    assert Message.objects.count() == 1


def test_context_snapshot_and_foreign_context_refused(cast):
    product = ProductFactory(store=cast.store, title="Плед", price="3490.00")
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store, product=product)
    assert conversation.product == product
    message, _ = services.message_send(
        actor=cast.buyer, conversation=conversation, body="Есть синий?", product=product
    )
    assert message.context == {
        "kind": "product", "id": product.pk, "title": "Плед", "price": "3490.00",
        "currency": "RUB", "url": product.get_absolute_url(),
    }  # fmt: skip
    order_message, _ = services.message_send(
        actor=cast.buyer, conversation=conversation, body="Где заказ?", order=cast.order
    )
    assert order_message.context["number"] == "A-1"
    foreign_product = ProductFactory(store=cast.other_store)
    for kwargs in ({"product": foreign_product}, {"order": cast.other_order}):
        with pytest.raises(ParleyError) as refused:
            services.message_send(actor=cast.buyer, conversation=conversation, body="x", **kwargs)
        assert refused.value.status == 404


def test_seller_cannot_start_with_a_stranger_but_can_with_a_customer(cast):
    stranger = UserFactory(username="stranger")
    with pytest.raises(ParleyError) as refused:
        services.conversation_open(actor=cast.seller, store=cast.store, buyer=stranger)
    assert refused.value.status == 403
    with pytest.raises(ParleyError) as own:
        services.conversation_open(actor=cast.seller, store=cast.store)
    assert own.value.code == "invalid"
    with pytest.raises(ParleyError) as not_member:
        services.conversation_open(actor=cast.other_seller, store=cast.store, buyer=cast.buyer)
    assert not_member.value.status == 404
    # cast.buyer ordered from the store (cast.order): allowed.
    conversation = services.conversation_open(actor=cast.seller, store=cast.store, buyer=cast.buyer)
    assert conversation.buyer == cast.buyer
    assert Conversation.objects.count() == 1


def test_read_markers_and_unread_counts_for_buyer_and_every_member(cast):
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff, role="staff")
    conversation, _ = open_and_send(cast)
    services.message_send(actor=cast.buyer, conversation=conversation, body="Ещё вопрос")
    assert selectors.unread_total_for(cast.buyer) == 0
    assert selectors.unread_total_for(cast.seller) == 2
    assert selectors.unread_total_for(staff) == 2
    assert selectors.unread_total_for(cast.other_seller) == 0
    services.conversation_mark_read(actor=cast.seller, conversation=conversation, up_to_seq=1)
    assert selectors.unread_total_for(cast.seller) == 1 and selectors.unread_total_for(staff) == 2
    # Never past the last message, never backwards.
    assert (
        services.conversation_mark_read(actor=cast.seller, conversation=conversation, up_to_seq=99)
        == 2
    )
    assert (
        services.conversation_mark_read(actor=cast.seller, conversation=conversation, up_to_seq=0)
        == 2
    )
    services.message_send(actor=staff, conversation=conversation, body="Отвечаю")
    assert selectors.unread_total_for(staff) == 0  # replying reads everything before it
    assert selectors.unread_total_for(cast.buyer) == 1
    listed = selectors.conversations_for(cast.buyer).get()
    assert listed.unread == 1


def test_conversation_list_is_newest_first_and_hides_empty_ones(cast):
    older = services.conversation_open(actor=cast.buyer, store=cast.store)
    services.conversation_open(actor=cast.buyer, store=cast.other_store)  # no message
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        services.message_send(actor=cast.buyer, conversation=older, body="old")
    third_store = MembershipFactory(user=UserFactory()).store
    newer = services.conversation_open(actor=cast.buyer, store=third_store)
    with time_machine.travel(datetime(2030, 1, 2, tzinfo=UTC), tick=False):
        services.message_send(actor=cast.buyer, conversation=newer, body="new")
    assert list(selectors.conversations_for(cast.buyer)) == [newer, older]


def test_history_window_both_directions(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    for n in range(1, 8):
        services.message_send(actor=cast.buyer, conversation=conversation, body=str(n))
    latest = selectors.messages_in(conversation, limit=3)
    assert [m.seq for m in latest.messages] == [5, 6, 7]
    assert latest.has_before and not latest.has_after
    earlier = selectors.messages_in(conversation, before=5, limit=3)
    assert (
        [m.seq for m in earlier.messages] == [2, 3, 4] and earlier.has_before and earlier.has_after
    )
    later = selectors.messages_in(conversation, after=4, limit=2)
    assert [m.seq for m in later.messages] == [5, 6] and later.has_after and later.has_before


def _listen(groups: list[str]) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return channel


def _heard(channel: str) -> dict:
    async def receive():
        return await asyncio.wait_for(get_channel_layer().receive(channel), timeout=5)

    return async_to_sync(receive)()


def test_send_publishes_the_documented_event_to_both_sides_after_commit(
    cast, django_capture_on_commit_callbacks
):
    buyer_side = _listen([user_group(cast.buyer.pk)])
    store_side = _listen([store_group(cast.store.pk)])
    with django_capture_on_commit_callbacks(execute=True):
        conversation, message = open_and_send(cast)
    expected = {
        "type": "message.new",
        "conversation": conversation.pk,
        "buyer": cast.buyer.pk,
        "store": cast.store.pk,
        "seq": 1,
        "message": message_payload(message),
        # the store's members were notified: their sockets get the bell with the message
        "bells": [
            {"user": cast.seller.pk, "id": bell.pk, "kind": "message_new", "unread": 1}
            for bell in Notification.objects.filter(recipient=cast.seller)
        ],
    }
    assert len(expected["bells"]) == 1
    assert _heard(store_side) == expected
    assert _heard(buyer_side) == expected
    assert set(expected["message"]) == {
        "id", "conversation", "seq", "sender", "from_store", "body", "context",
        "attachments", "client_id", "created_at",
    }  # fmt: skip


def test_nothing_is_published_when_the_transaction_rolls_back(
    cast, django_capture_on_commit_callbacks
):
    from django.db import transaction

    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.message_send(actor=cast.buyer, conversation=conversation, body="x")
        raise RuntimeError
    assert callbacks == [] and Message.objects.count() == 0


def test_unread_total_is_one_query(cast):
    open_and_send(cast)
    with CaptureQueriesContext(connection) as queries:
        selectors.unread_total_for(cast.seller)
    assert len(queries) <= 2


def test_a_chat_message_costs_the_same_few_statements_however_long_the_chat(cast):
    """Message, marker, notification and its bell count, no per-message job: what a busy
    conversation pays for each message must not grow with its history."""
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    counts = []
    for n in range(12):
        with CaptureQueriesContext(connection) as queries:
            services.message_send(actor=cast.buyer, conversation=conversation.pk, body=f"{n}")
        counts.append(len(queries))
    assert counts[1] == counts[-1] <= 11
    assert not any("dbtaskresult" in q["sql"] for q in queries.captured_queries)


# --- reply time --------------------------------------------------------------------------------

START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def conversation_answered_after(store, delay: timedelta | None, at: datetime):
    buyer = UserFactory()
    seller = store.memberships.first().user
    with time_machine.travel(at, tick=False):
        conversation = services.conversation_open(actor=buyer, store=store)
        services.message_send(actor=buyer, conversation=conversation, body="?")
    if delay is not None:
        with time_machine.travel(at + delay, tick=False):
            services.message_send(actor=seller, conversation=conversation, body="!")
    return conversation


def test_reply_time_needs_enough_conversations(cast, settings):
    settings.REPLY_STATS_MIN_CONVERSATIONS = 3
    for i in range(2):
        conversation_answered_after(cast.store, timedelta(hours=2), START + timedelta(hours=i))
    stats = selectors.store_reply_stats(cast.store, at=START + timedelta(days=2))
    assert stats.sample == 2 and not stats.enough
    with translation.override("en"):
        assert stats.summary().startswith("Not enough")
    with translation.override("ru"):
        assert stats.summary().startswith("Пока недостаточно")
    conversation_answered_after(cast.store, timedelta(hours=2), START + timedelta(hours=5))
    stats = selectors.store_reply_stats(cast.store, at=START + timedelta(days=2))
    assert stats.enough
    with translation.override("ru"):
        assert stats.summary() == "Обычно отвечает в течение 2 ч"
        assert stats.share_text() == "100% обращений получают ответ в течение 24 ч"
    with translation.override("en"):
        assert stats.summary() == "Usually replies within 2 hours"


def test_reply_time_median_share_and_unanswered(cast, settings):
    settings.REPLY_STATS_MIN_CONVERSATIONS = 1
    delays = [timedelta(hours=h) for h in (1, 3, 5, 30)] + [None]
    for i, delay in enumerate(delays):
        conversation_answered_after(cast.store, delay, START + timedelta(minutes=i))
    stats = selectors.store_reply_stats(cast.store, at=START + timedelta(days=3))
    assert stats.sample == 5
    assert stats.median == timedelta(hours=5)  # 1, 3, [5], 30, never
    assert stats.share_within_promise == pytest.approx(3 / 5)
    assert stats.median_hours == 5


def test_reply_time_edges_of_the_promise_and_young_questions(cast, settings):
    settings.REPLY_STATS_MIN_CONVERSATIONS = 1
    conversation_answered_after(cast.store, timedelta(hours=24), START)
    conversation_answered_after(cast.store, timedelta(hours=24, seconds=1), START)
    stats = selectors.store_reply_stats(cast.store, at=START + timedelta(days=2))
    assert stats.share_within_promise == pytest.approx(1 / 2)
    # An unanswered question younger than the promise is not judged yet; at 24 h it is.
    young = conversation_answered_after(cast.store, None, START + timedelta(days=2))
    moment = young.first_buyer_message_at + timedelta(hours=24)
    assert selectors.store_reply_stats(cast.store, at=moment - timedelta(seconds=1)).sample == 2
    assert selectors.store_reply_stats(cast.store, at=moment).sample == 3


def test_reply_time_mostly_unanswered_and_window(cast, settings):
    settings.REPLY_STATS_MIN_CONVERSATIONS = 1
    for i in range(3):
        conversation_answered_after(cast.store, None, START + timedelta(minutes=i))
    conversation_answered_after(cast.store, timedelta(hours=1), START)
    stats = selectors.store_reply_stats(cast.store, at=START + timedelta(days=2))
    assert stats.mostly_unanswered and stats.median is None
    window_end = START + timedelta(days=settings.REPLY_STATS_WINDOW_DAYS)
    assert selectors.store_reply_stats(cast.store, at=window_end).sample == 4
    after = window_end + timedelta(minutes=2, seconds=1)
    assert selectors.store_reply_stats(cast.store, at=after).sample == 0


def test_order_gives_a_seller_the_right_to_write(cast):
    buyer = UserFactory()
    OrderFactory(buyer=buyer, store=cast.store)
    assert services.conversation_open(actor=cast.seller, store=cast.store, buyer=buyer).pk


def test_imported_history_keeps_order_and_cannot_be_dated_in_the_future(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with time_machine.travel(START, tick=False):
        services.message_send(
            actor=cast.buyer, conversation=conversation, body="1", sent_at=START - timedelta(days=2)
        )
        services.message_send(
            actor=cast.seller,
            conversation=conversation,
            body="2",
            sent_at=START - timedelta(days=1),
        )
        for moment in (START + timedelta(seconds=1), START - timedelta(days=3)):
            with pytest.raises(ParleyError):
                services.message_send(
                    actor=cast.buyer, conversation=conversation, body="x", sent_at=moment
                )
        services.message_send(actor=cast.buyer, conversation=conversation, body="3", sent_at=START)
    conversation.refresh_from_db()
    assert conversation.first_reply_at - conversation.first_buyer_message_at == timedelta(days=1)
    assert Message.objects.count() == 3
