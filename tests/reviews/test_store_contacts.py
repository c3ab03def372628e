"""Store contacts and the away notice: validation, who may change them, where buyers see them."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from parley.core.errors import ErrorCode, ParleyError
from parley.marketplace import services
from parley.marketplace.models import Store

from ..conftest import client_for

CONTACTS = {
    "contact_email": "shop@example.com",
    "contact_phone": "+7 495 123-45-67",
    "address": "Москва",
    "working_hours": "10–19",
    "messengers": "Telegram @shop",
}
MOMENT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def snapshot(store: Store) -> dict:
    store.refresh_from_db()
    return {f: getattr(store, f) for f in [*CONTACTS, "away_message", "away_until"]}


@pytest.mark.django_db
def test_owner_updates_contacts(cast):
    store = services.store_contacts_update(actor=cast.seller, store=cast.store, **CONTACTS)
    assert {f: getattr(store, f) for f in CONTACTS} == CONTACTS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "phone", ["+7 495 123-45-67", "8 (812) 765-43-21", "1234567", "+123456789012345"]
)
def test_phone_formats_accepted(cast, phone):
    values = CONTACTS | {"contact_phone": phone}
    assert services.store_contacts_update(actor=cast.seller, store=cast.store, **values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_phone", "123456"),  # six digits: one too few
        ("contact_phone", "+1234567890123456"),  # sixteen digits: one too many
        ("contact_phone", "call me"),
        ("contact_phone", "+7 495 123-45-67 ext"),
        ("contact_email", "not-an-email"),
        ("contact_email", "a@b"),
        ("address", "x" * 256),
        ("messengers", "a\x00b"),
    ],
)
def test_malformed_contacts_are_refused_and_nothing_changes(cast, field, value):
    before = snapshot(cast.store)
    with pytest.raises(ParleyError) as caught:
        services.store_contacts_update(
            actor=cast.seller, store=cast.store, **(CONTACTS | {field: value})
        )
    assert caught.value.code == ErrorCode.INVALID and caught.value.detail["field"] == field
    assert snapshot(cast.store) == before


@pytest.mark.django_db
def test_staff_may_not_change_settings_and_outsiders_do_not_see_the_store(cast, staff):
    before = snapshot(cast.store)
    with pytest.raises(ParleyError) as caught:
        services.store_contacts_update(actor=staff, store=cast.store, **CONTACTS)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    for outsider in (cast.other_seller, cast.buyer, cast.arbitrator):
        with pytest.raises(ParleyError) as caught:
            services.store_away_notice_set(
                actor=outsider, store=cast.store, message="x", until=date(2030, 1, 1)
            )
        assert caught.value.code == ErrorCode.NOT_FOUND
    assert snapshot(cast.store) == before


@pytest.mark.django_db
def test_away_notice_date_edges_with_a_frozen_clock(cast):
    with time_machine.travel(MOMENT, tick=False) as clock:
        with pytest.raises(ParleyError) as caught:
            services.store_away_notice_set(
                actor=cast.seller, store=cast.store, message="Отпуск", until=date(2026, 3, 9)
            )
        assert caught.value.detail["field"] == "away_until"
        store = services.store_away_notice_set(
            actor=cast.seller, store=cast.store, message="Отпуск", until=date(2026, 3, 10)
        )
        assert store.is_away
        clock.move_to(datetime(2026, 3, 10, 20, 59, 59, tzinfo=UTC))  # 23:59:59 in Moscow
        assert store.is_away
        clock.move_to(datetime(2026, 3, 10, 21, 0, tzinfo=UTC))  # the next day in Moscow
        assert not store.is_away


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "until", "field"),
    [("Отпуск", None, "away_until"), ("", date(2030, 1, 1), "away_message"),
     ("x" * 501, date(2030, 1, 1), "away_message")],
)  # fmt: skip
def test_away_notice_needs_text_and_date(cast, message, until, field):
    with pytest.raises(ParleyError) as caught:
        services.store_away_notice_set(
            actor=cast.seller, store=cast.store, message=message, until=until
        )
    assert caught.value.detail["field"] == field


@pytest.mark.django_db
def test_away_notice_is_cleared_with_both_empty(cast):
    services.store_away_notice_set(
        actor=cast.seller, store=cast.store, message="Отпуск", until=date(2030, 1, 1)
    )
    store = services.store_away_notice_set(
        actor=cast.seller, store=cast.store, message="", until=None
    )
    assert (store.away_message, store.away_until, store.is_away) == ("", None, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Контакты", "Телефон", "Эл. почта", "Товары"]),
     ("en", ["Contacts", "Phone", "E-mail", "Products"])],
)  # fmt: skip
def test_contacts_tab_on_the_store_page(cast, language, words):
    services.store_contacts_update(actor=cast.seller, store=cast.store, **CONTACTS)
    store_page = client_for(None, language).get(cast.store.get_absolute_url()).content.decode()
    assert reverse("marketplace:store-contacts", args=[cast.store.slug]) in store_page
    page = client_for(None, language).get(
        reverse("marketplace:store-contacts", args=[cast.store.slug])
    )
    body = page.content.decode()
    assert page.status_code == 200
    for word in [*words, "shop@example.com", "+7 495 123-45-67", "Telegram @shop", "10–19"]:
        assert word in body
    assert 'aria-current="page"' in body


@pytest.mark.django_db
def test_contacts_tab_of_a_store_without_contacts_and_unknown_store(cast):
    Store.objects.filter(pk=cast.other_store.pk).update(contact_email="", contact_phone="")
    body = (
        client_for(None, "en")
        .get(reverse("marketplace:store-contacts", args=[cast.other_store.slug]))
        .content.decode()
    )
    assert "publishes no contacts" in body
    missing = client_for(None).get(reverse("marketplace:store-contacts", args=["nope"]))
    assert missing.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Магазин не работает до", "Отпуск до весны"]),
     ("en", ["The store is away until", "Отпуск до весны"])],
)  # fmt: skip
def test_away_notice_on_the_store_page(cast, language, words):
    services.store_away_notice_set(
        actor=cast.seller, store=cast.store, message="Отпуск до весны", until=date(2030, 1, 1)
    )
    body = client_for(None, language).get(cast.store.get_absolute_url()).content.decode()
    for word in words:
        assert word in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Контакты продавца", "Сначала напишите продавцу"]),
     ("en", ["Seller's contacts", "Write to the seller first"])],
)  # fmt: skip
def test_view_details_shows_the_sellers_contacts_and_the_reminder(cast, language, words):
    services.store_contacts_update(actor=cast.seller, store=cast.store, **CONTACTS)
    body = (
        client_for(cast.buyer, language)
        .get(reverse("marketplace:order", args=[cast.order.number]))
        .content.decode()
    )
    for word in [*words, "shop@example.com", "+7 495 123-45-67"]:
        assert word in body.replace("&#x27;", "'")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "notice"),
    [("ru", "Магазин не работает до"), ("en", "The store is away until")],
)
def test_away_notice_in_the_chats_contact_tab(cast, language, notice):
    from parley.messaging.services import conversation_open

    conversation = conversation_open(actor=cast.buyer, store=cast.store)
    window = reverse("chat:window", args=[conversation.pk])
    assert notice not in client_for(cast.buyer, language).get(window).content.decode()
    services.store_away_notice_set(
        actor=cast.seller, store=cast.store, message="Уехали на ярмарку", until=date(2030, 1, 1)
    )
    body = client_for(cast.buyer, language).get(window).content.decode()
    assert notice in body and "Уехали на ярмарку" in body
