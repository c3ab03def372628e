"""The review rules at their edges: who may review, once per line, edit windows, one reply."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import translation

from parley.core.errors import ErrorCode, ParleyError
from parley.marketplace.models import Order
from parley.reviews import selectors, services
from parley.reviews.models import Review, ReviewRevision, SellerReply, SellerReplyRevision
from parley.reviews.selectors import FeedShow, Refusal

from ..factories import ProductFactory
from .conftest import delivered_order

MOMENT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def write(actor, product, **kwargs):
    values = {"rating": 5, "text": "Отличная вещь"} | kwargs
    return services.review_create(actor=actor, product=product, **values)


def refusal_of(call) -> str:
    with pytest.raises(ParleyError) as caught:
        call()
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    return caught.value.detail["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Order.Status.DELIVERED, Order.Status.COMPLETED])
def test_buyer_of_a_received_order_line_may_review(cast, status):
    order = delivered_order(cast.buyer, cast.store, status=status)
    item = order.lines.get().product
    assert selectors.review_eligibility(cast.buyer, item).allowed
    review = write(cast.buyer, item, is_question=True)
    assert review.order_line == order.lines.get() and review.is_question


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Order.Status.PAID, Order.Status.SHIPPED, Order.Status.CANCELLED]
)
def test_an_order_not_received_cannot_be_reviewed(cast, status):
    order = delivered_order(cast.buyer, cast.store, status=status)
    item = order.lines.get().product
    assert refusal_of(lambda: write(cast.buyer, item)) == Refusal.NOT_DELIVERED
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_another_buyer_and_the_seller_cannot_review(cast, product):
    for who in (cast.other_buyer, cast.seller, cast.arbitrator):
        assert refusal_of(lambda who=who: write(who, product)) == Refusal.NOT_BUYER
    with translation.override("ru"):
        message = str(selectors.review_eligibility(cast.other_buyer, product).message)
    assert message == "Только покупатели этого товара могут оставить отзыв."
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_anonymous_is_asked_to_log_in(cast, product):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.review_eligibility(AnonymousUser(), product).refusal == Refusal.LOG_IN


@pytest.mark.django_db
def test_one_review_per_order_line(cast, product):
    write(cast.buyer, product)
    assert refusal_of(lambda: write(cast.buyer, product)) == Refusal.ALREADY_REVIEWED
    assert Review.objects.count() == 1


@pytest.mark.django_db
def test_a_second_purchase_of_the_same_product_gets_its_own_review(cast, product):
    second = delivered_order(cast.buyer, cast.store, product=product, number="D-2")
    write(cast.buyer, product)
    write(cast.buyer, product, order_number="D-2")
    assert Review.objects.filter(order_line__order=second).exists()
    assert Review.objects.count() == 2
    assert refusal_of(lambda: write(cast.buyer, product)) == Refusal.ALREADY_REVIEWED


@pytest.mark.django_db
def test_someone_elses_order_number_is_not_found(cast, product):
    other = delivered_order(cast.other_buyer, cast.store, product=product, number="X-9")
    with pytest.raises(ParleyError) as caught:
        write(cast.buyer, product, order_number=other.number)
    assert caught.value.code == ErrorCode.NOT_FOUND


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": True}, "rating"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"text": "a\x00b"}, "text"),
    ],
)
def test_bad_input_is_refused_with_its_field(cast, product, values, field):
    with pytest.raises(ParleyError) as caught:
        write(cast.buyer, product, **values)
    assert caught.value.code == ErrorCode.INVALID and caught.value.detail["field"] == field
    assert not Review.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("rating", [1, 5])
def test_rating_edges_are_accepted(cast, product, rating):
    assert write(cast.buyer, product, rating=rating).rating == rating


@pytest.mark.django_db
def test_review_edit_window_edges_with_history(cast, product, settings):
    settings.REVIEW_EDIT_WINDOW = timedelta(days=14)
    with time_machine.travel(MOMENT, tick=False) as clock:
        review = write(cast.buyer, product, rating=3, text="Сначала так")
        clock.move_to(MOMENT + timedelta(days=14))
        services.review_update(
            actor=cast.buyer, review=review, rating=4, text="Потом иначе", is_question=True
        )
        clock.move_to(MOMENT + timedelta(days=14, seconds=1))
        assert not selectors.review_is_editable(review)
        assert (
            refusal_of(
                lambda: services.review_update(
                    actor=cast.buyer, review=review, rating=1, text="Поздно", is_question=False
                )
            )
            == "edit_window_closed"
        )
    review.refresh_from_db()
    assert (review.rating, review.text, review.is_question) == (4, "Потом иначе", True)
    assert review.edited_at == MOMENT + timedelta(days=14)
    history = list(ReviewRevision.objects.filter(review=review).values_list("rating", "text"))
    assert history == [(3, "Сначала так")]


@pytest.mark.django_db
def test_only_the_author_edits_a_review(cast, product):
    review = write(cast.buyer, product)
    with pytest.raises(ParleyError) as caught:
        services.review_update(
            actor=cast.other_buyer, review=review, rating=1, text="Чужой", is_question=False
        )
    assert caught.value.code == ErrorCode.NOT_FOUND
    review.refresh_from_db()
    assert review.text == "Отличная вещь" and not ReviewRevision.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["seller", "staff"])
def test_store_members_reply_once(cast, product, staff, who):
    member = staff if who == "staff" else cast.seller
    review = write(cast.buyer, product)
    reply = services.seller_reply_create(actor=member, review=review, text="Спасибо!")
    assert reply.author == member
    with pytest.raises(ParleyError) as caught:
        services.seller_reply_create(actor=cast.seller, review=review, text="Ещё раз")
    assert caught.value.code == ErrorCode.CONFLICT
    assert caught.value.detail["reason"] == "already_replied"
    assert SellerReply.objects.get().text == "Спасибо!"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["buyer", "other_buyer", "other_seller", "arbitrator"])
def test_nobody_outside_the_store_replies(cast, product, who):
    review = write(cast.buyer, product)
    with pytest.raises(ParleyError) as caught:
        services.seller_reply_create(actor=getattr(cast, who), review=review, text="Я не магазин")
    assert caught.value.code == ErrorCode.NOT_FOUND
    assert not SellerReply.objects.exists()


@pytest.mark.django_db
def test_reply_edit_window_edges_with_history(cast, product, staff, settings):
    settings.REVIEW_REPLY_EDIT_WINDOW = timedelta(days=30)
    with time_machine.travel(MOMENT, tick=False) as clock:
        review = write(cast.buyer, product)
        services.seller_reply_create(actor=cast.seller, review=review, text="Первый ответ")
        clock.move_to(MOMENT + timedelta(days=30))
        services.seller_reply_update(actor=staff, review=review, text="Уточнённый ответ")
        clock.move_to(MOMENT + timedelta(days=30, seconds=1))
        assert (
            refusal_of(
                lambda: services.seller_reply_update(actor=cast.seller, review=review, text="Нет")
            )
            == "edit_window_closed"
        )
    reply = SellerReply.objects.get()
    assert reply.text == "Уточнённый ответ" and reply.author == staff
    revision = SellerReplyRevision.objects.get()
    assert (revision.text, revision.author, revision.written_at) == (
        "Первый ответ",
        cast.seller,
        MOMENT,
    )


@pytest.mark.django_db
def test_editing_a_missing_reply_is_not_found(cast, product):
    review = write(cast.buyer, product)
    with pytest.raises(ParleyError) as caught:
        services.seller_reply_update(actor=cast.seller, review=review, text="Нечего править")
    assert caught.value.code == ErrorCode.NOT_FOUND


@pytest.mark.django_db
def test_product_list_is_newest_first_with_average(cast, product):
    with time_machine.travel(MOMENT, tick=False) as clock:
        write(cast.buyer, product, rating=2)
        clock.move_to(MOMENT + timedelta(hours=1))
        newer = delivered_order(cast.other_buyer, cast.store, product=product)
        assert newer
        write(cast.other_buyer, product, rating=5)
    ratings = [r.rating for r in selectors.reviews_for_product(product)]
    assert ratings == [5, 2]
    assert selectors.review_summary(product) == {"count": 2, "average": 3.5}
    empty = ProductFactory(store=cast.store)
    assert selectors.review_summary(empty) == {"count": 0, "average": None}


@pytest.mark.django_db
def test_feed_puts_questions_first_and_filters(cast):
    items = []
    with time_machine.travel(MOMENT, tick=False) as clock:
        for hour, (rating, question) in enumerate([(5, False), (2, True), (4, False)]):
            clock.move_to(MOMENT + timedelta(hours=hour))
            order = delivered_order(cast.buyer, cast.store)
            items.append(
                write(cast.buyer, order.lines.get().product, rating=rating, is_question=question)
            )
    services.seller_reply_create(actor=cast.seller, review=items[2], text="Спасибо")
    feed = list(selectors.store_feed(cast.store))
    assert feed == [items[1], items[0]]
    assert list(selectors.store_feed(cast.store, show=FeedShow.ALL)) == [
        items[1],
        items[2],
        items[0],
    ]
    assert list(selectors.store_feed(cast.store, show=FeedShow.ALL, rating=4)) == [items[2]]
    assert list(selectors.store_feed(cast.other_store, show=FeedShow.ALL)) == []
    assert selectors.unanswered_count(cast.store) == 2
    assert selectors.unanswered_questions_count(cast.store) == 1
