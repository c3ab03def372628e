"""The reviews and workspace API: shapes, reasons and validation."""

import json

import pytest

from parley.reviews import services
from parley.reviews.models import Review

from ..conftest import bearer_for, client_for
from .conftest import delivered_order

API = "/api/v1"


def call(user, method, url, body=None, language="en"):
    headers = bearer_for(user) if user else {}
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
    return getattr(client_for(None, language), method)(API + url, headers=headers, **kwargs)


@pytest.mark.django_db
def test_write_read_and_list_a_review(cast, product):
    created = call(
        cast.buyer, "post", f"/products/{product.pk}/reviews",
        {"rating": 4, "text": " Хорошо ", "is_question": True, "order_number": "D-1"},
    )  # fmt: skip
    assert created.status_code == 201
    review = created.json()
    assert review["text"] == "Хорошо" and review["is_question"] and review["reply"] is None
    assert review["author"] == cast.buyer.public_name
    listed = call(None, "get", f"/products/{product.pk}/reviews").json()
    assert listed["count"] == 1 and listed["average"] == 4.0
    assert listed["items"][0]["id"] == review["id"]
    assert call(None, "get", f"/reviews/{review['id']}").json() == review


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "reason", "language", "message"),
    [
        ("other_buyer", "not_buyer", "en", "Only buyers of this product can review it."),
        ("other_buyer", "not_buyer", "ru", "Только покупатели этого товара могут оставить отзыв."),
        ("buyer", "already_reviewed", "en", "You have already reviewed this purchase."),
    ],
)
def test_refusals_carry_a_reason_and_a_translated_message(
    cast, product, who, reason, language, message
):
    services.review_create(actor=cast.buyer, product=product, rating=5, text="Первый")
    user = getattr(cast, who)
    eligibility = call(user, "get", f"/products/{product.pk}/review-eligibility", None, language)
    assert eligibility.json() == {
        "allowed": False, "reason": reason, "message": message, "order_numbers": [],
    }  # fmt: skip
    refused = call(user, "post", f"/products/{product.pk}/reviews", {"rating": 5, "text": "Ещё"},
                   language)  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["detail"] == {"reason": reason}
    assert refused.json()["message"] == message
    assert Review.objects.count() == 1


@pytest.mark.django_db
def test_eligibility_lists_the_purchases_that_can_be_reviewed(cast, product):
    delivered_order(cast.buyer, cast.store, product=product, number="D-2")
    body = call(cast.buyer, "get", f"/products/{product.pk}/review-eligibility").json()
    assert body["allowed"] and body["order_numbers"] == ["D-1", "D-2"] and body["reason"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rating": 6, "text": "x"}, 422),
        ({"rating": 0, "text": "x"}, 422),
        ({"rating": 3, "text": ""}, 422),
        ({"rating": 3, "text": "x" * 4001}, 422),
        ({"rating": 3, "text": "x", "order_number": "../x"}, 422),
        ({"rating": 3, "text": "   "}, 400),
    ],
)
def test_bad_review_input(cast, product, body, status):
    response = call(cast.buyer, "post", f"/products/{product.pk}/reviews", body)
    assert response.status_code == status and response.json()["code"] == "invalid"
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_unknown_product_and_review_are_404(cast):
    assert call(None, "get", "/products/999999/reviews").status_code == 404
    assert call(None, "get", "/reviews/999999").status_code == 404
    assert call(cast.seller, "post", "/reviews/999999/reply", {"text": "x"}).status_code == 404


@pytest.mark.django_db
def test_reply_once_then_edit(cast, product, staff):
    review = services.review_create(actor=cast.buyer, product=product, rating=2, text="Плохо")
    first = call(staff, "post", f"/reviews/{review.pk}/reply", {"text": "Разберёмся"})
    assert first.status_code == 201
    reply = first.json()["reply"]
    assert reply["store"] == cast.store.name and reply["author"] == staff.public_name
    again = call(cast.seller, "post", f"/reviews/{review.pk}/reply", {"text": "Ещё"})
    assert again.status_code == 409 and again.json()["detail"] == {"reason": "already_replied"}
    edited = call(cast.seller, "put", f"/reviews/{review.pk}/reply", {"text": "Вернули деньги"})
    assert edited.json()["reply"]["text"] == "Вернули деньги"
    assert edited.json()["reply"]["edited_at"] is not None


@pytest.mark.django_db
def test_feed_filters(cast):
    for rating, question in [(5, False), (2, True)]:
        order = delivered_order(cast.buyer, cast.store)
        services.review_create(
            actor=cast.buyer, product=order.lines.get().product, rating=rating, text="Текст",
            is_question=question,
        )  # fmt: skip
    feed = call(cast.seller, "get", "/workspace/stores/cosy/reviews").json()
    assert [item["rating"] for item in feed["items"]] == [2, 5] and feed["count"] == 2
    five = call(cast.seller, "get", "/workspace/stores/cosy/reviews?rating=5").json()
    assert [item["rating"] for item in five["items"]] == [5]
    assert call(cast.seller, "get", "/workspace/stores/cosy/reviews?show=x").status_code == 422
    assert call(cast.seller, "get", "/workspace/stores/cosy/reviews?rating=6").status_code == 422
    desks = call(cast.seller, "get", "/workspace/stores").json()
    assert desks == [
        {"slug": "cosy", "name": cast.store.name, "is_owner": True, "unanswered_reviews": 2,
         "unanswered_questions": 1, "unread_messages": 0, "url": "/workspace/cosy/"},
    ]  # fmt: skip


@pytest.mark.django_db
def test_contacts_and_away_notice_over_the_api(cast):
    bad = call(cast.seller, "put", "/workspace/stores/cosy/contacts", {"contact_phone": "12"})
    assert bad.status_code == 400 and bad.json()["detail"] == {"field": "contact_phone"}
    saved = call(
        cast.seller, "put", "/workspace/stores/cosy/contacts",
        {"contact_email": "shop@example.com", "contact_phone": "+7 900 123-45-67"},
    ).json()  # fmt: skip
    assert saved["contact_email"] == "shop@example.com" and saved["away"] is None
    away = call(
        cast.seller, "put", "/workspace/stores/cosy/away",
        {"message": "Отпуск", "until": "2030-01-01"},
    ).json()  # fmt: skip
    assert away["away"] == {"message": "Отпуск", "until": "2030-01-01"}
    public = call(None, "get", "/stores/cosy/contacts").json()
    assert public["contact_phone"] == "+7 900 123-45-67"
    assert public["away"] == {"message": "Отпуск", "until": "2030-01-01"}
    assert "away_message" not in public
    past = call(
        cast.seller, "put", "/workspace/stores/cosy/away", {"message": "x", "until": "2020-01-01"}
    )
    assert past.status_code == 400 and past.json()["detail"] == {"field": "away_until"}


@pytest.mark.django_db
def test_every_new_endpoint_is_in_the_openapi_document():
    paths = client_for(None).get(f"{API}/openapi.json").json()["paths"]
    for path in [
        "/api/v1/products/{product_id}/reviews",
        "/api/v1/products/{product_id}/review-eligibility",
        "/api/v1/reviews/{review_id}",
        "/api/v1/reviews/{review_id}/history",
        "/api/v1/reviews/{review_id}/reply",
        "/api/v1/workspace/stores",
        "/api/v1/workspace/stores/{slug}/reviews",
        "/api/v1/workspace/stores/{slug}/settings",
        "/api/v1/workspace/stores/{slug}/contacts",
        "/api/v1/workspace/stores/{slug}/away",
        "/api/v1/stores/{slug}/contacts",
    ]:
        assert path in paths


@pytest.mark.django_db
def test_history_keeps_every_earlier_wording(cast, product):
    review = services.review_create(actor=cast.buyer, product=product, rating=2, text="Первое")
    services.review_update(
        actor=cast.buyer, review=review, rating=3, text="Второе", is_question=False
    )
    services.review_update(
        actor=cast.buyer, review=review, rating=4, text="Третье", is_question=True
    )
    services.seller_reply_create(actor=cast.seller, review=review, text="Ответ 1")
    services.seller_reply_update(actor=cast.seller, review=review, text="Ответ 2")
    history = call(None, "get", f"/reviews/{review.pk}/history").json()
    assert [(v["rating"], v["text"]) for v in history["review"]] == [(2, "Первое"), (3, "Второе")]
    assert [v["text"] for v in history["reply"]] == ["Ответ 1"]
    assert history["reply"][0]["author"] == cast.seller.public_name
    assert call(None, "get", f"/reviews/{review.pk}").json()["text"] == "Третье"
    assert call(None, "get", "/reviews/999999/history").status_code == 404
