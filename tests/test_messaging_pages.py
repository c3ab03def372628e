"""Contact Now, Message Center and dialog pages: both languages, both sides, nobody else."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from parley.attachments.models import Attachment
from parley.messaging import services
from parley.messaging.models import Conversation, Message

from .conftest import client_for
from .factories import MembershipFactory, ProductFactory, UserFactory
from .images import hostile_files, photo_bytes, photo_with_gps, upload

WORDS = {
    "ru": ["Отправить сообщение", "Загрузить фото", "Отправить", "Центр сообщений"],
    "en": ["Contact Now", "Upload a photo", "Send", "Message Center"],
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_contact_page_is_titled_with_the_store_and_speaks_the_language(cast, language):
    product = ProductFactory(store=cast.store, title="Плед")
    url = reverse("messaging:contact", args=["cosy"]) + f"?product={product.pk}"
    page = client_for(cast.buyer, language).get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<h1 id="contact-title">Уютный дом</h1>' in body
    for word in WORDS[language][1:]:
        assert word in body
    assert "Плед" in body


def test_contact_page_needs_login(cast):
    page = client_for(None).get(reverse("messaging:contact", args=["cosy"]))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert (
        client_for(cast.buyer).get(reverse("messaging:contact", args=["nope"])).status_code == 404
    )


def test_contact_without_javascript_sends_with_photo_and_context(cast):
    product = ProductFactory(store=cast.store)
    client = client_for(cast.buyer)
    response = client.post(
        reverse("messaging:contact", args=["cosy"]),
        {
            "body": "Здравствуйте!",
            "product": product.pk,
            "client_id": "form-1",
            "photos": [upload(photo_with_gps())],
        },
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:conversation", args=[conversation.pk])
    message = Message.objects.get()
    assert message.context["id"] == product.pk and message.photos.count() == 1
    # A double submit of the same form is the same message, and its photo is not stored twice.
    again = client.post(
        reverse("messaging:contact", args=["cosy"]),
        {
            "body": "Здравствуйте!",
            "product": product.pk,
            "client_id": "form-1",
            "photos": [upload(photo_with_gps())],
        },
    )
    assert again.status_code == 302
    assert Message.objects.count() == 1 and Attachment.objects.count() == 1


def test_contact_dialog_posts_with_fetch_and_gets_json(cast):
    client = client_for(cast.buyer, "en")
    url = reverse("messaging:contact", args=["cosy"])
    ok = client.post(url, {"body": "Hello", "order": "A-1"}, headers={"X-Requested-With": "fetch"})
    assert ok.status_code == 201 and ok.json()["conversation_url"].startswith("/messages/")
    assert Message.objects.get().context["number"] == "A-1"
    refused = client.post(url, {"body": ""}, headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 400 and "Write a message" in refused.json()["message"]


@pytest.mark.parametrize("kind", ["elf", "polyglot", "svg"])
def test_refused_message_leaves_nothing_behind(cast, settings, kind):
    data, name, content_type = hostile_files()[kind]
    page = client_for(cast.buyer).post(
        reverse("messaging:contact", args=["cosy"]),
        {
            "body": "Смотрите",
            "photos": [upload(photo_bytes(), "ok.jpg"), upload(data, name, content_type)],
        },
    )
    assert page.status_code == 400
    assert "alert" in page.content.decode()
    assert (
        Conversation.objects.count() == Message.objects.count() == Attachment.objects.count() == 0
    )
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_empty_message_is_refused_and_no_conversation_is_left(cast):
    page = client_for(cast.buyer).post(reverse("messaging:contact", args=["cosy"]), {"body": " "})
    assert page.status_code == 400 and "Напишите сообщение" in page.content.decode()
    assert Conversation.objects.count() == 0


def test_seller_cannot_use_contact_on_own_store(cast):
    page = client_for(cast.seller).post(reverse("messaging:contact", args=["cosy"]), {"body": "x"})
    assert page.status_code == 400 and Conversation.objects.count() == 0


def _dialog(cast, body="Здравствуйте!"):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    services.message_send(actor=cast.buyer, conversation=conversation, body=body)
    return conversation


@pytest.mark.parametrize("language", ["ru", "en"])
def test_message_center_for_buyer_and_seller_with_unread_badges(cast, language):
    conversation = _dialog(cast)
    seller_page = client_for(cast.seller, language).get(reverse("messaging:center"))
    body = seller_page.content.decode()
    assert cast.buyer.public_name in body and "Здравствуйте!" in body
    assert 'class="badge"' in body  # header and row
    assert WORDS[language][3] in body
    client_for(cast.seller, language).get(reverse("messaging:conversation", args=[conversation.pk]))
    after = client_for(cast.seller, language).get(reverse("messaging:center")).content.decode()
    assert 'class="badge"' not in after
    buyer_page = client_for(cast.buyer, language).get(reverse("messaging:center")).content.decode()
    assert "Уютный дом" in buyer_page


def test_dialog_shows_times_in_the_readers_zone_with_day_separators(cast):
    from datetime import UTC, datetime

    import time_machine

    cast.buyer.time_zone = "Asia/Vladivostok"  # UTC+10
    cast.buyer.save()
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with time_machine.travel(datetime(2030, 5, 1, 13, 5, tzinfo=UTC), tick=False):
        services.message_send(actor=cast.buyer, conversation=conversation, body="первое")
    with time_machine.travel(datetime(2030, 5, 1, 14, 30, tzinfo=UTC), tick=False):
        services.message_send(actor=cast.seller, conversation=conversation, body="второе")
    url = reverse("messaging:conversation", args=[conversation.pk])
    buyer_page = client_for(cast.buyer, "en").get(url).content.decode()
    assert "23:05" in buyer_page and "00:30" in buyer_page  # 1 May 23:05 and 2 May 00:30 local
    assert buyer_page.count('class="day-separator"') == 2
    seller_page = client_for(cast.seller, "en").get(url).content.decode()  # Moscow, UTC+3
    assert "16:05" in seller_page and "17:30" in seller_page
    assert seller_page.count('class="day-separator"') == 1


def test_reply_with_photo_shows_a_thumbnail_linking_to_full_size(cast):
    conversation = _dialog(cast)
    url = reverse("messaging:conversation", args=[conversation.pk])
    response = client_for(cast.seller).post(
        url, {"body": "Вот фото", "photos": [upload(photo_bytes())], "client_id": "r1"}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    body = client_for(cast.buyer).get(url).content.decode()
    assert reverse("messaging:attachment-thumb", args=[attachment.pk]) in body
    assert reverse("messaging:attachment", args=[attachment.pk]) in body
    download = client_for(cast.buyer).get(reverse("messaging:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_access_matrix_for_pages_and_downloads(cast):
    conversation = _dialog(cast)
    client_for(cast.buyer).post(
        reverse("messaging:conversation", args=[conversation.pk]),
        {"body": "секретное фото", "photos": [upload(photo_bytes())]},
    )
    attachment = Attachment.objects.get()
    photo_url = reverse("messaging:attachment", args=[attachment.pk])
    thumb_url = reverse("messaging:attachment-thumb", args=[attachment.pk])
    page_url = reverse("messaging:conversation", args=[conversation.pk])
    count = Message.objects.count()
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff, role="staff")
    for participant in (cast.buyer, cast.seller, staff):
        client = client_for(participant)
        assert client.get(page_url).status_code == 200
        assert client.get(photo_url).status_code == 200 and client.get(thumb_url).status_code == 200
    for outsider in (cast.other_buyer, cast.other_seller, cast.arbitrator):
        client = client_for(outsider)
        assert client.get(page_url).status_code == 404
        assert client.post(page_url, {"body": "spam"}).status_code == 404
        assert client.get(photo_url).status_code == 404
        assert client.get(thumb_url).status_code == 404
        assert "секретное" not in client.get(reverse("messaging:center")).content.decode()
    anonymous = client_for(None)
    assert anonymous.get(page_url).status_code == 302
    assert anonymous.get(photo_url).status_code == 404
    assert anonymous.get(reverse("messaging:center")).status_code == 302
    assert Message.objects.count() == count


@pytest.mark.parametrize("language", ["ru", "en"])
def test_contact_now_on_product_store_order_and_my_orders(cast, language):
    product = cast.order.lines.first().product
    client = client_for(cast.buyer, language)
    contact = reverse("messaging:contact", args=["cosy"])
    word = WORDS[language][0]
    pages = {
        product.get_absolute_url(): f"{contact}?product={product.pk}",
        cast.store.get_absolute_url(): contact,
        cast.order.get_absolute_url(): f"{contact}?order=A-1",
        reverse("marketplace:my-orders"): f"{contact}?order=A-1",
    }
    for page, link in pages.items():
        body = client.get(page).content.decode()
        assert word in body and f'href="{link}"' in body, page
        assert 'data-store-name="Уютный дом"' in body
    assert 'id="contact-dialog"' in body


def test_store_members_see_no_contact_button_on_their_store(cast):
    body = client_for(cast.seller).get(cast.store.get_absolute_url()).content.decode()
    assert "data-contact " not in body and "data-contact>" not in body


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Пока недостаточно"), ("en", "Not enough conversations yet")],
)
def test_store_page_shows_reply_time(cast, language, text):
    body = client_for(None, language).get(cast.store.get_absolute_url()).content.decode()
    assert text in body


@pytest.mark.parametrize(
    ("count", "label"),
    [
        (1, "1 непрочитанное сообщение"),
        (3, "3 непрочитанных сообщения"),
        (5, "5 непрочитанных сообщений"),
        (11, "11 непрочитанных сообщений"),
    ],
)
def test_unread_badge_speaks_russian_plurals(cast, count, label):
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    for n in range(count):
        services.message_send(actor=cast.buyer, conversation=conversation, body=str(n))
    body = client_for(cast.seller, "ru").get(reverse("messaging:center")).content.decode()
    assert f'aria-label="{label}"' in body


def test_junk_numbers_in_links_are_ignored(cast):
    conversation = _dialog(cast)
    client = client_for(cast.buyer)
    url = reverse("messaging:conversation", args=[conversation.pk])
    for before in ("99999999999999999999", "-1", "abc"):
        assert client.get(f"{url}?before={before}").status_code == 200
    contact = reverse("messaging:contact", args=["cosy"])
    assert client.get(f"{contact}?product=99999999999999999999&order=nope").status_code == 200


def test_the_newest_window_follows_the_chat_socket_and_an_earlier_one_does_not(cast, monkeypatch):
    conversation = _dialog(cast, "первое")
    services.message_send(actor=cast.buyer, conversation=conversation, body="второе")
    services.conversation_mark_read(actor=cast.seller, conversation=conversation, up_to_seq=1)
    url = reverse("messaging:conversation", args=[conversation.pk])
    newest = client_for(cast.buyer, "en").get(url).content.decode()
    assert f'data-conversation="{conversation.pk}"' in newest
    assert 'data-last-seq="2"' in newest and 'data-their-read="1"' in newest
    assert 'role="log"' in newest and 'data-chat-status role="status"' in newest
    # The buyer's own messages carry the same marks as in the chat window.
    assert newest.count('class="message-status" data-status="read"') == 1
    assert newest.count('class="message-status" data-status="sent"') == 1
    assert 'id="m-2"' in newest and 'data-seq="2"' in newest

    monkeypatch.setattr("parley.messaging.views.HISTORY_PAGE", 1)
    earlier = client_for(cast.buyer, "en").get(f"{url}?before=2").content.decode()
    assert "первое" in earlier and "второе" not in earlier
    assert "Latest messages" in earlier
    assert "data-last-seq=" not in earlier and "data-chat-status" not in earlier


def test_reply_without_javascript_still_posts_and_redirects_to_the_message(cast):
    conversation = _dialog(cast)
    url = reverse("messaging:conversation", args=[conversation.pk])
    client = client_for(cast.seller, "ru")
    response = client.post(url, {"body": "Ответ без скриптов", "client_id": "nojs-1"})
    assert response.status_code == 302 and response["Location"] == f"{url}#m-2"
    page = client.get(url).content.decode()
    assert page.count("Ответ без скриптов") == 1
    assert '<form class="message-form" method="post" action="' + url + '"' in page


@pytest.mark.parametrize(("language", "clock"), [("ru", "19:55"), ("en", "7:55 PM")])
def test_message_times_are_written_as_the_live_chat_writes_them(cast, language, clock):
    """chat.js writes the time of a live message with the browser's clock format; a message
    rendered by the server must look the same (Moscow time, the default reader zone)."""
    conversation = services.conversation_open(actor=cast.buyer, store=cast.store)
    with time_machine.travel(datetime(2030, 5, 6, 16, 55, tzinfo=UTC), tick=False):
        services.message_send(actor=cast.buyer, conversation=conversation, body="Во сколько?")
        page = client_for(cast.buyer, language).get(
            reverse("messaging:conversation", args=[conversation.pk])
        )
    assert f">{clock}</time>" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "written"),
    [("ru", "6 мая 2030 г. 19:55"), ("en", "May 6, 2030, 7:55 PM")],
)
def test_dates_with_a_time_write_the_clock_as_the_times_do(cast, language, written):
    """A date with its time (notifications, orders, disputes, search) uses the same clock as
    the chat's times, in the reader's zone (Moscow by default)."""
    moment = datetime(2030, 5, 6, 16, 55, tzinfo=UTC)
    template = Template('{% load tz %}{{ moment|localtime|date:"DATETIME_FORMAT" }}')
    with translation.override(language), timezone.override("Europe/Moscow"):
        assert template.render(Context({"moment": moment})) == written
