"""The Message Center list, the unread badge and the history window read the same rows as the
plain queryset, in a number of queries that does not grow with the reader's dialogs."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parley.attachments.services import attachment_create_from_upload
from parley.core.clock import now
from parley.messaging import selectors, services
from parley.messaging.api import conversation_out
from parley.messaging.models import Conversation
from parley.messaging.payloads import message_payload
from parley.workspace.selectors import store_unread_messages

from .conftest import bearer_for, client_for
from .factories import MembershipFactory, OrderFactory, ProductFactory, UserFactory
from .images import photo_bytes, upload

API = "/api/v1"
FIELDS = ("pk", "unread", "read_seq", "reader_is_buyer", "last_message_at")


def _send(actor, conversation, body="x"):
    return services.message_send(actor=actor, conversation=conversation, body=body)[0]


def _row(conversation):
    return tuple(getattr(conversation, field) for field in FIELDS)


@pytest.fixture
def market(cast):
    """A store with many buyers, a staff member, markers on both sides, dialogs sharing a
    last-message moment, and a seller who is also a buyer elsewhere."""
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff, role="staff")
    buyers = [cast.buyer, cast.other_buyer, *(UserFactory() for _ in range(9))]
    dialogs = []
    for i, buyer in enumerate(buyers):
        conversation = services.conversation_open(actor=buyer, store=cast.store)
        # Pairs of dialogs share their last moment, so the tie on last_message_at is decided
        # by id.
        with time_machine.travel(datetime(2030, 1, 1 + i // 2, tzinfo=UTC), tick=False):
            for n in range(i % 4 + 1):
                _send(buyer, conversation, f"b{n}")
            if i % 3 == 0:
                _send(cast.seller, conversation, "ответ")
            if i % 3 == 1:
                _send(staff, conversation, "ответ персонала")
                _send(buyer, conversation, "спасибо")
        if i % 2 == 0:
            services.conversation_mark_read(actor=buyer, conversation=conversation, up_to_seq=99)
        if i % 5 == 0:
            services.conversation_mark_read(
                actor=cast.seller, conversation=conversation, up_to_seq=1
            )
        dialogs.append(conversation)
    services.conversation_open(actor=UserFactory(), store=cast.store)  # no message: not listed
    # The seller buys from another store too: listed on the buyer's side.
    elsewhere = services.conversation_open(actor=cast.seller, store=cast.other_store)
    with time_machine.travel(datetime(2030, 1, 3, tzinfo=UTC), tick=False):
        _send(cast.seller, elsewhere, "есть в наличии?")
        _send(cast.other_seller, elsewhere, "да")
        _send(cast.other_seller, elsewhere, "пишите")
    return staff, dialogs, elsewhere


# The pages read model objects, the API rows; both must give the same payloads.
WINDOWS = {
    "models": (selectors.messages_in, lambda m: message_payload(m)),
    "rows": (selectors.message_rows_in, lambda m: message_payload(m, m.photos)),
}


@pytest.fixture(params=sorted(WINDOWS))
def window_read(request):
    return WINDOWS[request.param]


def _readers(cast, staff):
    return [cast.seller, staff, cast.buyer, cast.other_buyer, cast.other_seller, cast.arbitrator]


def test_dialog_pages_match_the_queryset_for_every_reader(cast, market):
    staff, _, _ = market
    for reader in _readers(cast, staff):
        expected = [_row(c) for c in selectors.conversations_for(reader)]
        dialogs = selectors.dialogs_for(reader)
        assert dialogs.count() == len(expected) == len(dialogs)
        for start, stop in [(0, 20), (0, 5), (3, 7), (5, 10), (10, 30), (40, 60)]:
            assert [_row(c) for c in dialogs[start:stop]] == expected[start:stop], (reader, start)
        if expected:
            assert _row(dialogs[len(expected) - 1]) == expected[-1]
        with pytest.raises(IndexError):
            dialogs[len(expected)]


def test_api_summaries_match_the_full_dialogs_for_every_reader(cast, market):
    """The API's lean page (only its summary's columns) says what the full rows say, a
    product and an order included; any other field still reads, from the database."""
    staff, dialogs, _ = market
    product = ProductFactory(store=cast.store, title="Синий чайник")
    about_product = services.conversation_open(
        actor=UserFactory(display_name="Покупатель с товаром"), store=cast.store, product=product
    )
    _send(about_product.buyer, about_product, "есть в наличии?")
    about_order = services.conversation_open(actor=cast.buyer, store=cast.other_store)
    order = OrderFactory(buyer=cast.buyer, store=cast.other_store, number="Z-9")
    services.message_send(
        actor=cast.buyer, conversation=about_order, body="где заказ?", order=order
    )
    for reader in _readers(cast, staff):
        dialogs = selectors.dialogs_for(reader)
        assert dialogs.unread_total() == selectors.unread_total_for(reader)
        for start, stop in [(0, 20), (3, 7), (10, 30), (40, 60)]:
            lean = [conversation_out(reader, c) for c in dialogs.summaries(start, stop)]
            full = [conversation_out(reader, c) for c in dialogs[start:stop]]
            assert lean == full, (reader, start)
    seller_page = selectors.dialogs_for(cast.seller).summaries(0, 20)
    found = {c.pk: conversation_out(cast.seller, c).model_dump() for c in seller_page}
    assert found[about_product.pk]["product"]["title"] == "Синий чайник"
    assert found[about_product.pk]["buyer"]["name"] == "Покупатель с товаром"
    buyer_page = {c.pk: c for c in selectors.dialogs_for(cast.buyer).summaries(0, 20)}
    assert conversation_out(cast.buyer, buyer_page[about_order.pk]).order == {"number": "Z-9"}
    with CaptureQueriesContext(connection) as queries:
        assert buyer_page[about_order.pk].created_at == about_order.created_at
        assert buyer_page[about_order.pk].store.contact_email == cast.other_store.contact_email
    assert len(queries) == 2  # each deferred field on first use
    assert selectors.dialogs_for(cast.seller).summaries(5, 5) == []
    assert selectors.dialogs_for(cast.arbitrator).summaries(0, 20) == []


def test_unread_totals_match_the_per_dialog_counts(cast, market):
    staff, _, _ = market
    for reader in _readers(cast, staff):
        listed = list(selectors.conversations_for(reader))
        assert selectors.unread_total_for(reader) == sum(c.unread for c in listed), reader
        for store in (cast.store, cast.other_store):
            in_store = sum(c.unread for c in listed if c.store_id == store.pk)
            assert selectors.store_unread_for(reader, store) == in_store
            assert store_unread_messages(reader, store) == in_store
    # The seller's own question elsewhere: the other store's two answers are unread for them.
    assert selectors.store_unread_for(cast.seller, cast.other_store) == 2
    assert selectors.unread_total_for(cast.seller) > 2
    assert selectors.unread_total_for(cast.arbitrator) == 0


def test_unread_total_with_markers_on_both_sides_and_staff(cast):
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff, role="staff")
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    for body in ("раз", "два", "три"):
        _send(cast.buyer, conversation, body)
    services.conversation_mark_read(actor=cast.seller, conversation=conversation, up_to_seq=2)
    assert selectors.unread_total_for(cast.seller) == 1
    assert selectors.unread_total_for(staff) == 3  # each member has their own marker
    _send(staff, conversation, "отвечаю")  # a member's own side is never unread for them
    assert selectors.unread_total_for(cast.seller) == 1
    assert selectors.unread_total_for(staff) == 0
    assert selectors.unread_total_for(cast.buyer) == 1
    services.conversation_mark_read(actor=cast.buyer, conversation=conversation, up_to_seq=4)
    assert selectors.unread_total_for(cast.buyer) == 0


def _queries(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def _grow(cast, count):
    for _ in range(count):
        conversation = services.conversation_open(actor=UserFactory(), store=cast.store)
        _send(conversation.buyer, conversation)


def test_message_center_first_page_queries_do_not_grow_with_the_dialogs(cast):
    api, page = bearer_for(cast.seller), client_for(cast.seller)
    url = reverse("messaging:center")

    def api_list():
        response = page.get(API + "/conversations?limit=20", headers=api)
        assert response.status_code == 200

    def center():
        assert page.get(url).status_code == 200

    _grow(cast, 3)
    api_list()  # the token's first use is noted once
    few = (
        _queries(api_list),
        _queries(center),
        _queries(lambda: selectors.dialogs_for(cast.seller)[:20]),
    )
    _grow(cast, 25)
    many = (
        _queries(api_list),
        _queries(center),
        _queries(lambda: selectors.dialogs_for(cast.seller)[:20]),
    )
    assert few == many
    body = page.get(API + "/conversations?limit=20", headers=api).json()
    assert body["count"] == 28 and len(body["items"]) == 20
    assert body["unread_total"] == 28


def test_history_window_queries_do_not_grow_with_senders_photos_or_size(cast, window_read):
    read, payload = window_read
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff, role="staff")
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    for n in range(30):
        author = (cast.buyer, cast.seller, staff)[n % 3]
        photos = []
        if n % 7 == 0:
            photos = [
                attachment_create_from_upload(owner=author, upload=upload(photo_bytes()))
                for _ in range(2)
            ]
        services.message_send(
            actor=author, conversation=conversation, body=f"m{n}", attachments=photos
        )
    reader = selectors.get_conversation_for(cast.buyer, conversation.pk)
    with CaptureQueriesContext(connection) as queries:
        window = read(reader, limit=25)
        payloads = [payload(m) for m in window.messages]
    # Messages with their senders' names, then the photos of those that have any.
    assert len(queries) == 2
    assert [p["seq"] for p in payloads] == list(range(6, 31))
    assert {p["sender"]["name"] for p in payloads} == {
        cast.buyer.public_name,
        cast.seller.public_name,
        staff.public_name,
    }
    with_photos = [p for p in payloads if p["attachments"]]
    assert [p["seq"] for p in with_photos] == [8, 15, 22, 29]
    for p in with_photos:
        ids = [a["id"] for a in p["attachments"]]
        assert ids == sorted(ids) and len(ids) == 2
    assert window.has_before and not window.has_after


def test_history_window_without_photos_is_one_query_and_pages_both_ways(cast, window_read):
    read, payload = window_read
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    for n in range(1, 11):
        author = cast.buyer if n % 2 else cast.seller
        services.message_send(actor=author, conversation=conversation, body=f"m{n}")
    reader = selectors.get_conversation_for(cast.seller, conversation.pk, related=())
    with CaptureQueriesContext(connection) as queries:
        window = read(reader, limit=4)
        payloads = [payload(m) for m in window.messages]
    assert len(queries) == 1
    assert [p["seq"] for p in payloads] == [7, 8, 9, 10]
    assert [p["sender"]["name"] for p in payloads] == [
        cast.buyer.public_name,
        cast.seller.public_name,
    ] * 2
    assert all(p["attachments"] == [] and p["context"] == {} for p in payloads)
    assert window.has_before and not window.has_after
    older = read(reader, before=7, limit=4)
    assert [m.seq for m in older.messages] == [3, 4, 5, 6]
    assert older.has_before and older.has_after
    newer = read(reader, after=2, limit=3)
    assert [m.seq for m in newer.messages] == [3, 4, 5]
    assert newer.has_before and newer.has_after
    last = read(reader, after=8, limit=3)
    assert [m.seq for m in last.messages] == [9, 10]
    assert last.has_before and not last.has_after


def test_history_rows_give_the_payloads_of_the_model_objects(cast):
    """Store-side messages, a context, a client id, photos, a staff sender and a sender
    who is not the conversation's buyer: every field converted as the ORM converts it."""
    staff = UserFactory(username="staff", display_name="Ольга")
    MembershipFactory(store=cast.store, user=staff, role="staff")
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with time_machine.travel(datetime(2030, 2, 3, 4, 5, 6, 789012, tzinfo=UTC), tick=False):
        photo = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes()))
        services.message_send(
            actor=cast.buyer,
            conversation=conversation,
            body="фото",
            attachments=[photo],
            client_id="c-1",
            order=cast.order,
        )
        _send(cast.seller, conversation, "ответ")
        _send(staff, conversation, "уточню")
    for reader in (cast.buyer, cast.seller):
        found = selectors.get_conversation_for(reader, conversation.pk, related=())
        models = selectors.messages_in(found, limit=10)
        rows = selectors.message_rows_in(found, limit=10)
        assert [message_payload(m, m.photos) for m in rows.messages] == [
            message_payload(m) for m in models.messages
        ]
        assert (rows.has_before, rows.has_after) == (models.has_before, models.has_after)
        first, answer, _ = rows.messages
        assert first.client_id == "c-1" and [a.pk for a in first.photos] == [photo.pk]
        assert first.context["kind"] == "order" and first.context["number"] == "A-1"
        assert first.from_store is False and answer.from_store is True
        assert first.created_at == datetime(2030, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def test_dialog_count_takes_a_dialog_on_both_sides_once(cast):
    """A member who is also the buyer of a dialog (written into the data: the services do
    not open one) sees it once."""
    own = Conversation.objects.create(
        buyer=cast.seller, store=cast.store, created_at=now(), last_message_at=now(), last_seq=1
    )
    other = services.conversation_open(actor=cast.buyer, store=cast.store)
    _send(cast.buyer, other, "добрый день")
    services.conversation_open(actor=cast.other_buyer, store=cast.store)  # no message yet
    dialogs = selectors.dialogs_for(cast.seller)
    assert dialogs.count() == 2 == len(dialogs[0:10])
    assert {c.pk for c in dialogs[0:10]} == {own.pk, other.pk}
    assert selectors.dialogs_for(cast.other_seller).count() == 0
    assert selectors.dialogs_for(cast.buyer).count() == 1


def test_a_history_read_takes_two_statements_and_hides_other_conversations(cast):
    from parley.core.errors import NotFound

    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    _send(cast.buyer, conversation, "вопрос")
    _send(cast.seller, conversation, "ответ")
    for reader in (cast.buyer, cast.seller):
        with CaptureQueriesContext(connection) as queries:
            found = selectors.get_conversation_for(reader, conversation.pk, related=())
            window = selectors.messages_in(found, limit=50)
            payloads = [message_payload(m) for m in window.messages]
        # The conversation, the window; the seller's membership is one more.
        assert len(queries) == (2 if reader == cast.buyer else 3)
        assert [(p["body"], p["sender"]["name"]) for p in payloads] == [
            ("вопрос", cast.buyer.public_name),
            ("ответ", cast.seller.public_name),
        ]
    for outsider in (cast.other_buyer, cast.other_seller):
        with pytest.raises(NotFound):
            selectors.get_conversation_for(outsider, conversation.pk, related=())
    with pytest.raises(NotFound):
        selectors.get_conversation_for(cast.buyer, conversation.pk + 1000, related=())
