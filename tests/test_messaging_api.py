"""The Message Center API: open, list, send with Idempotency-Key, history cursors, read."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from parley.api import api as ninja_api
from parley.messaging import services
from parley.messaging.models import Conversation, Message, ReadMarker
from parley.messaging.payloads import message_payload
from parley.messaging.schemas import MessagePage

from .conftest import bearer_for, client_for
from .factories import ProductFactory
from .images import photo_bytes, upload

API = "/api/v1"


def api(user):
    client = client_for(None)
    headers = bearer_for(user)

    def call(method, path, data=None, **extra):
        kwargs = {"headers": {**headers, **extra.pop("headers", {})}}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(client, method)(API + path, **kwargs)

    return call


def test_buyer_opens_sends_with_photo_and_seller_replies(cast):
    buyer, seller = api(cast.buyer), api(cast.seller)
    product = ProductFactory(store=cast.store, title="Плед")
    opened = buyer("post", "/conversations", {"store": "cosy", "product": product.pk})
    assert opened.status_code == 200
    conversation = opened.json()
    assert conversation["product"]["title"] == "Плед" and conversation["unread"] == 0
    photo = (
        client_for(None)
        .post(
            API + "/attachments", {"files": [upload(photo_bytes())]}, headers=bearer_for(cast.buyer)
        )
        .json()[0]
    )
    sent = buyer(
        "post",
        f"/conversations/{conversation['id']}/messages",
        {"body": "Есть синий?", "attachments": [photo["id"]], "product": product.pk},
        headers={"Idempotency-Key": "abc-1"},
    )
    assert sent.status_code == 201
    message = sent.json()
    assert message["seq"] == 1 and message["context"]["kind"] == "product"
    assert message["attachments"][0]["sha256"] == photo["sha256"]
    retry = buyer(
        "post",
        f"/conversations/{conversation['id']}/messages",
        {"body": "Есть синий?", "attachments": [photo["id"]], "product": product.pk},
        headers={"Idempotency-Key": "abc-1"},
    )
    assert retry.status_code == 200 and retry.json()["id"] == message["id"]
    changed = buyer(
        "post",
        f"/conversations/{conversation['id']}/messages",
        {"body": "Другое"},
        headers={"Idempotency-Key": "abc-1"},
    )
    assert changed.status_code == 409 and changed.json()["code"] == "conflict"
    assert Message.objects.count() == 1
    listing = seller("get", "/conversations").json()
    assert listing["unread_total"] == 1 and listing["items"][0]["unread"] == 1
    photo_url = message["attachments"][0]["url"]
    assert client_for(cast.seller).get(photo_url).status_code == 200
    reply = seller("post", f"/conversations/{conversation['id']}/messages", {"body": "Да"})
    assert reply.status_code == 201 and reply.json()["from_store"] is True
    read = buyer("post", f"/conversations/{conversation['id']}/read", {"up_to_seq": 2})
    assert read.json() == {"read_seq": 2, "unread_total": 0}


def test_history_cursors_both_directions(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    for n in range(1, 6):
        services.message_send(actor=cast.buyer, conversation=conversation, body=str(n))
    buyer = api(cast.buyer)
    path = f"/conversations/{conversation.pk}/messages"
    latest = buyer("get", f"{path}?limit=2").json()
    assert [m["seq"] for m in latest["items"]] == [4, 5]
    assert latest["has_before"] and latest["before"] == 4 and not latest["has_after"]
    older = buyer("get", f"{path}?limit=2&before={latest['before']}").json()
    assert [m["seq"] for m in older["items"]] == [2, 3] and older["has_after"]
    newer = buyer("get", f"{path}?limit=2&after=1").json()
    assert [m["seq"] for m in newer["items"]] == [2, 3] and newer["after"] == 3
    assert newer["has_after"]
    both = buyer("get", f"{path}?after=1&before=3")
    assert both.status_code == 400


@pytest.mark.parametrize("language", ["ru", "en"])
def test_refusals_are_translated(cast, language):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    buyer = api(cast.buyer)
    empty = buyer(
        "post",
        f"/conversations/{conversation.pk}/messages",
        {"body": " "},
        headers={"Accept-Language": language},
    )
    assert empty.status_code == 400
    expected = {"ru": "Напишите сообщение", "en": "Write a message"}[language]
    assert expected in empty.json()["message"]


def test_seller_starts_only_with_a_customer(cast):
    seller = api(cast.seller)
    refused = seller("post", "/conversations", {"store": "cosy", "buyer": cast.other_seller.pk})
    assert refused.status_code == 403
    allowed = seller("post", "/conversations", {"store": "cosy", "buyer": cast.buyer.pk})
    assert allowed.status_code == 200 and allowed.json()["buyer"]["id"] == cast.buyer.pk
    unknown = seller("post", "/conversations", {"store": "cosy", "buyer": 999999})
    assert unknown.status_code == 403 and unknown.json()["message"] == refused.json()["message"]
    outsider = api(cast.other_seller)("post", "/conversations", {"store": "cosy", "buyer": 999999})
    assert outsider.status_code == 404
    own = seller("post", "/conversations", {"store": "cosy"})
    assert own.status_code == 400


def test_outsiders_get_404_everywhere_and_nothing_changes(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    services.message_send(actor=cast.buyer, conversation=conversation, body="Hi")
    before = (Message.objects.count(), ReadMarker.objects.count(), Conversation.objects.count())
    for outsider in (cast.other_buyer, cast.other_seller, cast.arbitrator):
        call = api(outsider)
        base = f"/conversations/{conversation.pk}"
        assert call("get", base).status_code == 404
        assert call("get", f"{base}/messages").status_code == 404
        assert call("post", f"{base}/messages", {"body": "x"}).status_code == 404
        assert call("post", f"{base}/read", {"up_to_seq": 1}).status_code == 404
        assert call("get", "/conversations").json()["count"] == 0
    assert api(cast.buyer)("get", "/conversations/999999").status_code == 404
    for path in ("/conversations", f"/conversations/{conversation.pk}/messages"):
        assert client_for(None).get(API + path).status_code == 401
    after = (Message.objects.count(), ReadMarker.objects.count(), Conversation.objects.count())
    assert before == after


def test_someone_elses_photo_or_order_cannot_be_sent(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    theirs = (
        client_for(None)
        .post(
            API + "/attachments",
            {"files": [upload(photo_bytes())]},
            headers=bearer_for(cast.seller),
        )
        .json()[0]
    )
    buyer = api(cast.buyer)
    path = f"/conversations/{conversation.pk}/messages"
    assert buyer("post", path, {"body": "x", "attachments": [theirs["id"]]}).status_code == 404
    assert buyer("post", path, {"body": "x", "order": "B-1"}).status_code == 404
    assert Message.objects.count() == 0


def test_the_history_is_the_validated_page_byte_for_byte(cast):
    """The history is written without validating it again: it must be exactly what validating
    ``MessagePage`` and rendering it gives, with photos, a product card, a time on the second
    and one with microseconds, quotes and emoji."""
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    product = ProductFactory(store=cast.store, title='Плед «Уют» "XL"')
    buyer, seller = api(cast.buyer), api(cast.seller)
    photo = (
        client_for(None)
        .post(
            API + "/attachments", {"files": [upload(photo_bytes())]}, headers=bearer_for(cast.buyer)
        )
        .json()[0]
    )
    path = f"/conversations/{conversation.pk}/messages"
    with time_machine.travel(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), tick=False):
        sent = {"body": "Есть синий?", "attachments": [photo["id"]], "product": product.pk}
        buyer("post", path, sent, headers={"Idempotency-Key": "k-1"})
    with time_machine.travel(datetime(2030, 1, 2, 3, 4, 6, 789012, tzinfo=UTC), tick=False):
        seller("post", path, {"body": '«Да» ✓ 📷 \\ "так"\n'})
    services.message_send(actor=cast.buyer, conversation=conversation, body="третье")

    def validated(query: str) -> bytes:
        """What ninja writes for a view that returns the page to validate, as it did before."""
        messages = list(Message.objects.filter(conversation=conversation).order_by("seq"))
        window = {"": messages, "?limit=2": messages[-2:], "?before=2": messages[:1]}[query]
        page = {
            "items": [message_payload(m) for m in window],
            "has_before": window[0].seq > 1,
            "has_after": window[-1].seq < len(messages),
            "before": window[0].seq if window[0].seq > 1 else None,
            "after": window[-1].seq,
        }
        dumped = MessagePage.model_validate(page).model_dump()
        return ninja_api.renderer.render(None, dumped, response_status=200).encode()

    for query in ("", "?limit=2", "?before=2"):
        answer = buyer("get", path + query)
        assert answer.status_code == 200
        assert answer.content == validated(query), query
    first = json.loads(buyer("get", path).content)["items"]
    assert [m["created_at"] for m in first[:2]] == [
        "2030-01-02T03:04:05Z", "2030-01-02T03:04:06.789Z"
    ]  # fmt: skip
    assert first[0]["attachments"][0]["sha256"] == photo["sha256"]
    assert first[0]["context"]["title"] == 'Плед «Уют» "XL"'


def test_each_dialog_in_the_list_links_its_own_store(cast):
    """The list finds each store's address once, and never lends one store's to another."""
    for store in (cast.store, cast.other_store, cast.store):
        conversation = services.conversation_open(actor=cast.buyer, store=store)
        services.message_send(actor=cast.buyer, conversation=conversation, body="?")
    items = api(cast.buyer)("get", "/conversations").json()["items"]
    assert sorted((i["store"]["slug"], i["store"]["url"]) for i in items) == sorted(
        (store.slug, store.get_absolute_url()) for store in (cast.store, cast.other_store)
    )
