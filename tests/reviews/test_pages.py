"""Review, reply and workspace pages in both languages, driven through forms."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from parley.reviews import services
from parley.reviews.models import Review, SellerReply

from ..conftest import bearer_for, client_for
from ..factories import ProductFactory
from .conftest import delivered_order


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode()).replace("&#x27;", "'")


@pytest.fixture
def answered(cast, product):
    review = services.review_create(
        actor=cast.buyer, product=product, rating=4, text="Хорошая вещь"
    )
    services.seller_reply_create(actor=cast.seller, review=review, text="Спасибо за отзыв")
    return review


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Отзывы", "Средняя оценка 4,0 по 1 отзыву", "Ответ продавца", "4 из 5"]),
     ("en", ["Reviews", "Average rating 4.0 from 1 review", "Seller's reply", "4 out of 5"])],
)  # fmt: skip
def test_product_page_lists_reviews_with_the_sellers_reply(cast, answered, language, words):
    body = text_of(client_for(None, language).get(answered.product.get_absolute_url()))
    for word in [*words, "Хорошая вещь", "Спасибо за отзыв", cast.store.name]:
        assert word in body


@pytest.mark.django_db
def test_product_page_reviews_are_paginated_newest_first(cast, settings):
    item = ProductFactory(store=cast.store)
    start = timezone.now() - timedelta(days=3)
    for n in range(12):
        with time_machine.travel(start + timedelta(minutes=n), tick=False):
            buyer = cast.buyer if n == 0 else None
            order = delivered_order(buyer or cast.other_buyer, cast.store, product=item)
            services.review_create(
                actor=order.buyer, product=item, rating=5, text=f"Отзыв номер {n:02d}"
            )
    first = text_of(client_for(None, "en").get(item.get_absolute_url()))
    assert "Отзыв номер 11" in first and "Отзыв номер 02" in first
    assert "Отзыв номер 01" not in first and "Page 1 of 2" in first
    assert first.index("Отзыв номер 11") < first.index("Отзыв номер 10")
    second = text_of(client_for(None, "en").get(item.get_absolute_url() + "?page=2"))
    assert "Отзыв номер 01" in second and "Отзыв номер 00" in second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "language", "reason"),
    [
        (None, "en", "Log in to review a product you bought."),
        ("other_buyer", "ru", "Только покупатели этого товара могут оставить отзыв."),
        ("other_buyer", "en", "Only buyers of this product can review it."),
        ("seller", "en", "Only buyers of this product can review it."),
    ],
)
def test_product_page_says_why_one_cannot_review(cast, product, who, language, reason):
    user = getattr(cast, who) if who else None
    body = text_of(client_for(user, language).get(product.get_absolute_url()))
    assert reason in body
    assert 'action="' + reverse("reviews:new", args=[product.pk]) not in body


@pytest.mark.django_db
def test_undelivered_order_gets_its_reason_on_the_page(cast):
    item = cast.order.lines.get().product  # the cast's order is shipped, not delivered
    body = text_of(client_for(cast.buyer, "en").get(item.get_absolute_url()))
    assert "You can review this product once your order is delivered." in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label", "thanks"),
    [("ru", "Оценка", "Спасибо! Ваш отзыв опубликован."),
     ("en", "Rating", "Thank you! Your review is published.")],
)  # fmt: skip
def test_buyer_writes_a_review_from_the_product_page(cast, product, language, label, thanks):
    client = client_for(cast.buyer, language)
    body = text_of(client.get(product.get_absolute_url()))
    assert label in body and 'value="D-1"' in body
    response = client.post(
        reverse("reviews:new", args=[product.pk]),
        {"rating": "5", "text": "Всё отлично", "is_question": "on", "order_number": "D-1"},
        follow=True,
    )
    assert thanks in text_of(response)
    review = Review.objects.get()
    assert (review.rating, review.is_question, review.author) == (5, True, cast.buyer)
    assert "Всё отлично" in text_of(response)
    second = client.post(
        reverse("reviews:new", args=[product.pk]), {"rating": "4", "text": "Ещё раз"}
    )
    assert second.status_code == 400 and Review.objects.count() == 1


@pytest.mark.django_db
def test_refused_review_form_keeps_input_and_says_why(cast, product):
    client = client_for(cast.buyer, "en")
    response = client.post(reverse("reviews:new", args=[product.pk]), {"rating": "9", "text": ""})
    assert response.status_code == 400
    body = text_of(response)
    assert "Select a valid choice" in body and "This field is required" in body
    assert not Review.objects.exists()
    blank = client.post(reverse("reviews:new", args=[product.pk]), {"rating": "3", "text": "  "})
    assert blank.status_code == 400 and not Review.objects.exists()


@pytest.mark.django_db
def test_buyer_edits_within_the_window_then_sees_it_closed(cast, product, settings):
    review = services.review_create(actor=cast.buyer, product=product, rating=3, text="Так себе")
    client = client_for(cast.buyer, "en")
    page = text_of(client.get(product.get_absolute_url()))
    assert "Edit my review" in page
    response = client.post(
        reverse("reviews:edit", args=[review.pk]), {"rating": "4", "text": "Лучше, чем думал"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.rating == 4 and review.revisions.count() == 1
    assert "edited" in text_of(client.get(product.get_absolute_url()))
    with time_machine.travel(
        review.created_at + settings.REVIEW_EDIT_WINDOW + timedelta(seconds=1)
    ):
        client = client_for(cast.buyer, "en")  # the old session has expired by now
        assert "Edit my review" not in text_of(client.get(product.get_absolute_url()))
        closed = client.post(
            reverse("reviews:edit", args=[review.pk]), {"rating": "1", "text": "Поздно"}
        )
        assert closed.status_code == 400
        assert "The time to edit this review is over." in text_of(closed)
    review.refresh_from_db()
    assert review.rating == 4


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "button"), [("ru", "Ответить"), ("en", "Reply")])
def test_seller_replies_from_the_product_page(cast, product, language, button):
    review = services.review_create(actor=cast.buyer, product=product, rating=2, text="Плохо")
    client = client_for(cast.seller, language)
    assert button in text_of(client.get(product.get_absolute_url()))
    response = client.post(
        reverse("reviews:reply", args=[review.pk]), {"text": "Свяжитесь с нами"}, follow=True
    )
    assert "Свяжитесь с нами" in text_of(response)
    assert SellerReply.objects.get().author == cast.seller
    # A buyer sees the reply but no reply form.
    body = text_of(client_for(cast.other_buyer, language).get(product.get_absolute_url()))
    assert "Свяжитесь с нами" in body and f'id="reply-{review.pk}"' not in body


@pytest.mark.django_db
def test_reply_page_edits_and_returns_to_the_feed(cast, answered):
    client = client_for(cast.seller, "en")
    feed = reverse("workspace:reviews", args=[cast.store.slug]) + "?show=all"
    page = client.get(reverse("reviews:reply", args=[answered.pk]) + f"?next={feed}")
    assert "Edit the reply" in text_of(page)
    response = client.post(
        reverse("reviews:reply", args=[answered.pk]), {"text": "Новый ответ", "next": feed}
    )
    assert response.status_code == 302 and response["Location"] == feed
    assert SellerReply.objects.get().text == "Новый ответ"
    outside = client.post(
        reverse("reviews:reply", args=[answered.pk]),
        {"text": "Ещё", "next": "https://evil.example/"},
    )
    assert outside["Location"].startswith(answered.product.get_absolute_url())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Кабинет продавца", "Отзывы и вопросы", "Контакты и уведомление об отсутствии",
             "1 отзыв без ответа", "из них 1 вопрос"]),
     ("en", ["Seller workspace", "Reviews and questions", "Contacts and away notice",
             "1 unanswered review", "1 of them a question"])],
)  # fmt: skip
def test_workspace_desk_shows_counts(cast, product, language, words):
    services.review_create(
        actor=cast.buyer, product=product, rating=3, text="Где чек?", is_question=True
    )
    client = client_for(cast.seller, language)
    assert client.get(reverse("workspace:index"))["Location"] == reverse(
        "workspace:desk", args=[cast.store.slug]
    )
    body = text_of(client.get(reverse("workspace:desk", args=[cast.store.slug])))
    for word in words:
        assert word in body
    assert 'href="/workspace/"' in body  # the header link, only for store members
    assert 'href="/workspace/"' not in text_of(client_for(cast.buyer).get("/"))


@pytest.mark.django_db
def test_workspace_index_lists_several_stores(cast):
    from ..factories import MembershipFactory

    MembershipFactory(store=cast.other_store, user=cast.seller)
    body = text_of(client_for(cast.seller, "en").get(reverse("workspace:index")))
    assert cast.store.name in body and cast.other_store.name in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Без ответа", "Любая оценка", "Сначала вопросы", "Вопрос"]),
     ("en", ["Unanswered", "Any rating", "Questions come first", "Question"])],
)  # fmt: skip
def test_feed_filters_and_puts_questions_first(cast, language, words):
    reviews = []
    for rating, text, question in [(5, "Отлично", False), (1, "Почему так?", True)]:
        order = delivered_order(cast.buyer, cast.store)
        reviews.append(
            services.review_create(
                actor=cast.buyer,
                product=order.lines.get().product,
                rating=rating,
                text=text,
                is_question=question,
            )
        )
    client = client_for(cast.seller, language)
    url = reverse("workspace:reviews", args=[cast.store.slug])
    body = text_of(client.get(url))
    for word in words:
        assert word in body
    assert body.index("Почему так?") < body.index("Отлично")
    only_five = text_of(client.get(url + "?show=all&rating=5"))
    assert "Отлично" in only_five and "Почему так?" not in only_five
    services.seller_reply_create(actor=cast.seller, review=reviews[1], text="Ответили")
    assert "Почему так?" not in text_of(client.get(url))
    assert "Почему так?" in text_of(client.get(url + "?show=all"))
    assert "Почему так?" not in text_of(client.get(url + "?show=junk&rating=9"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "error"),
    [("ru", "Введите номер телефона из 7–15 цифр"), ("en", "Enter a phone number of 7 to 15")],
)
def test_settings_page_shows_validation_errors(cast, language, error):
    client = client_for(cast.seller, language)
    response = client.post(
        reverse("workspace:contacts-save", args=[cast.store.slug]),
        {"contact_email": "shop@example.com", "contact_phone": "12"},
    )
    assert response.status_code == 400 and error in text_of(response)
    cast.store.refresh_from_db()
    assert cast.store.contact_email != "shop@example.com"
    past = client.post(
        reverse("workspace:away-save", args=[cast.store.slug]),
        {"away_message": "Отпуск", "away_until": "2020-01-01"},
    )
    assert past.status_code == 400


@pytest.mark.django_db
def test_owner_saves_contacts_and_away_notice_staff_sees_them_read_only(cast, staff):
    owner = client_for(cast.seller, "en")
    owner.post(
        reverse("workspace:contacts-save", args=[cast.store.slug]),
        {"contact_email": "shop@example.com", "contact_phone": "+7 900 123-45-67"},
    )
    owner.post(
        reverse("workspace:away-save", args=[cast.store.slug]),
        {"away_message": "Уехали на ярмарку", "away_until": "2030-05-01"},
    )
    cast.store.refresh_from_db()
    assert cast.store.contact_phone == "+7 900 123-45-67" and cast.store.is_away
    body = text_of(
        client_for(staff, "en").get(reverse("workspace:settings", args=[cast.store.slug]))
    )
    assert "Only the store's owner can change these settings." in body
    assert "Save contacts" not in body and "disabled" in body
    assert "shop@example.com" in body and "Уехали на ярмарку" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ["Входящие", "2 непрочитанных сообщения от покупателей"]),
     ("en", ["Inbox", "2 unread messages from buyers"])],
)  # fmt: skip
def test_desk_shows_the_stores_inbox_with_unread_count(cast, staff, language, words):
    from parley.messaging.services import conversation_open, message_send

    dialog = conversation_open(actor=cast.buyer, store=cast.store)
    for body in ("Здравствуйте!", "Когда отправите?"):
        message_send(actor=cast.buyer, conversation=dialog, body=body)
    other = conversation_open(actor=cast.buyer, store=cast.other_store)
    message_send(actor=cast.buyer, conversation=other, body="Другому магазину")
    for member in (cast.seller, staff):
        body = text_of(
            client_for(member, language).get(reverse("workspace:desk", args=[cast.store.slug]))
        )
        for word in words:
            assert word in body
        assert reverse("messaging:center") in body
    desk = client_for(None).get("/api/v1/workspace/stores", headers=bearer_for(staff))
    assert desk.json()[0]["unread_messages"] == 2
