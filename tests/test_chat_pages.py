"""Chat Now buttons and the chat window: both languages, both sides, nobody else."""

import pytest
from django.urls import reverse

from parley.messaging import selectors, services
from parley.messaging.models import Conversation

from .conftest import client_for
from .factories import OrderFactory, ProductFactory

WORDS = {
    "ru": ["Чат", "Контакт", "Товар", "Магазин", "Продавец", "Отправить", "Загрузить фото"],
    "en": ["Chat", "Contact", "Product", "Store", "Seller", "Send", "Upload a photo"],
}


@pytest.fixture
def lamp(cast):
    product = ProductFactory(store=cast.store, title="Лампа", price="1490.00")
    return OrderFactory(buyer=cast.buyer, store=cast.store, number="L-7", lines=[product])


@pytest.mark.parametrize("language", ["ru", "en"])
def test_chat_now_on_order_page_order_row_and_store_page(cast, lamp, language):
    client = client_for(cast.buyer, language)
    start = reverse("chat:start", args=["cosy"])
    label = "Чат" if language == "ru" else "Chat Now"
    for url in [
        reverse("marketplace:order", args=["L-7"]),
        reverse("marketplace:my-orders"),
        reverse("marketplace:store", args=["cosy"]),
    ]:
        html = client.get(url).content.decode()
        assert f'action="{start}"' in html and label in html, url
    assert (
        'name="order" value="L-7"' in client.get(reverse("marketplace:my-orders")).content.decode()
    )


def test_the_store_members_do_not_see_chat_now_on_their_own_store(cast):
    html = client_for(cast.seller).get(reverse("marketplace:store", args=["cosy"])).content.decode()
    assert reverse("chat:start", args=["cosy"]) not in html


def test_chat_now_from_an_order_opens_the_conversation_about_it(cast, lamp):
    response = client_for(cast.buyer).post(reverse("chat:start", args=["cosy"]), {"order": "L-7"})
    conversation = Conversation.objects.get(buyer=cast.buyer, store=cast.store)
    assert response.status_code == 302
    assert response.url == reverse("chat:window", args=[conversation.pk])
    assert conversation.order == lamp and conversation.messages.count() == 0


def test_chat_now_ignores_another_buyers_order_and_refuses_the_own_store(cast):
    client_for(cast.buyer).post(reverse("chat:start", args=["cosy"]), {"order": "B-1"})
    assert Conversation.objects.get(buyer=cast.buyer).order is None
    response = client_for(cast.seller).post(reverse("chat:start", args=["cosy"]))
    assert response.status_code == 302 and response.url == reverse(
        "marketplace:store", args=["cosy"]
    )
    assert not Conversation.objects.filter(buyer=cast.seller).exists()


def test_chat_start_needs_login_and_post(cast):
    url = reverse("chat:start", args=["cosy"])
    assert client_for(None).post(url).url.startswith(reverse("accounts:login"))
    assert client_for(cast.buyer).get(url).status_code == 405
    assert client_for(cast.buyer).post(reverse("chat:start", args=["nope"])).status_code == 404


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_window_shows_history_contact_and_product_tabs(cast, lamp, language):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store, order=lamp)
    services.message_send(actor=cast.buyer, conversation=conversation, body="Где заказ?")
    services.message_send(actor=cast.seller, conversation=conversation, body="Уже в пути")
    page = client_for(cast.buyer, language).get(reverse("chat:window", args=[conversation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for word in WORDS[language]:
        assert word in html, word
    assert "Где заказ?" in html and "Уже в пути" in html
    assert "Уютный дом" in html and cast.seller.public_name in html
    assert "Лампа" in html and "1490" in html
    assert f'data-conversation="{conversation.pk}"' in html
    # Opening the window reads the seller's reply.
    assert selectors.last_read_seq(cast.buyer, conversation) == 2


def test_the_seller_sees_the_window_with_the_buyers_side_and_read_marks(cast, lamp):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store, order=lamp)
    services.message_send(actor=cast.seller, conversation=conversation, body="Здравствуйте")
    html = client_for(cast.seller, "en").get(reverse("chat:window", args=[conversation.pk]))
    assert cast.buyer.public_name in html.content.decode()
    assert 'data-status="sent"' in html.content.decode()
    services.conversation_mark_read(actor=cast.buyer, conversation=conversation, up_to_seq=1)
    html = client_for(cast.seller, "en").get(reverse("chat:window", args=[conversation.pk]))
    assert 'data-status="read"' in html.content.decode()


def test_nobody_else_sees_the_window(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    url = reverse("chat:window", args=[conversation.pk])
    assert client_for(cast.other_buyer).get(url).status_code == 404
    assert client_for(cast.other_seller).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert client_for(cast.buyer).get(reverse("chat:window", args=[999999])).status_code == 404


def test_the_message_center_conversation_links_to_the_chat_window(cast):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    services.message_send(actor=cast.buyer, conversation=conversation, body="Привет")
    html = client_for(cast.seller).get(reverse("messaging:conversation", args=[conversation.pk]))
    assert reverse("chat:window", args=[conversation.pk]) in html.content.decode()
