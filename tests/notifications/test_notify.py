"""notify(): once per event, written with the caller's transaction and heard after commit,
rendered in the reader's language."""

import pytest
from django.db import connection, transaction
from django.urls import set_script_prefix
from django.utils import translation

from parley.messaging import services as messaging
from parley.messaging.payloads import store_group
from parley.notifications import services
from parley.notifications.models import Notification
from parley.notifications.render import render_notification
from parley.reviews import services as reviews

from ..factories import MembershipFactory, UserFactory
from ..reviews.conftest import delivered_order

pytestmark = pytest.mark.django_db


def test_a_buyer_message_notifies_every_store_member_once(cast, conversation, committed):
    staff = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=staff)
    with committed():
        messaging.message_send(actor=cast.buyer, conversation=conversation, body="Есть синий?")
    rows = Notification.objects.order_by("recipient__username")
    assert [(n.recipient.username, n.kind) for n in rows] == [
        ("seller", "message_new"),
        ("staff", "message_new"),
    ]
    assert rows[0].params == {"sender": "Buyer", "text": "Есть синий?"}
    assert rows[0].link == f"/messages/{conversation.pk}/#m-1"
    assert rows[0].group_key == f"conversation:{conversation.pk}"


def test_the_link_follows_the_script_prefix_of_the_moment(cast, conversation, committed):
    """The page's address is reversed once per language and prefix, not once for all."""
    for prefix, seq in (("/", 1), ("/market/", 2), ("/", 3)):
        set_script_prefix(prefix)
        try:
            with committed():
                messaging.message_send(actor=cast.buyer, conversation=conversation, body="?")
        finally:
            set_script_prefix("/")
        assert Notification.objects.get(link__endswith=f"#m-{seq}").link == (
            f"{prefix}messages/{conversation.pk}/#m-{seq}"
        )


def test_a_store_reply_notifies_the_buyer_only(cast, conversation, committed):
    with committed():
        messaging.message_send(actor=cast.buyer, conversation=conversation, body="Вопрос")
    with committed():
        messaging.message_send(actor=cast.seller, conversation=conversation, body="Ответ")
    assert Notification.objects.filter(recipient=cast.buyer).count() == 1
    assert Notification.objects.filter(recipient=cast.seller).count() == 1
    mine = Notification.objects.get(recipient=cast.buyer)
    assert mine.params["sender"] == cast.store.name


def test_imported_history_is_not_news(cast, conversation, committed):
    from django.utils import timezone

    with committed():
        messaging.message_send(
            actor=cast.buyer,
            conversation=conversation,
            body="Старое",
            sent_at=timezone.now() - timezone.timedelta(days=3),
        )
    assert not Notification.objects.exists()


def test_a_rolled_back_action_notifies_nobody(cast, conversation, committed):
    class Boom(Exception):
        pass

    with committed() as callbacks, pytest.raises(Boom), transaction.atomic():
        messaging.message_send(actor=cast.buyer, conversation=conversation, body="Передумал")
        raise Boom
    assert callbacks == []
    assert not Notification.objects.exists()


def test_it_is_written_with_the_message_and_heard_only_after_commit(
    cast, conversation, django_capture_on_commit_callbacks, monkeypatch
):
    heard = []
    monkeypatch.setattr(
        "parley.core.realtime.publish", lambda group, event: heard.append((group, event))
    )
    with django_capture_on_commit_callbacks() as callbacks:
        messaging.message_send(actor=cast.buyer, conversation=conversation, body="Ждём")
        assert Notification.objects.filter(recipient=cast.seller).count() == 1
    assert heard == []
    for callback in callbacks:
        callback()
    # The seller's bell rides with the message to the store's sockets, not as an event apart.
    bell = Notification.objects.get(recipient=cast.seller)
    to_store = [event for group, event in heard if group == store_group(cast.store.pk)]
    assert [event["bells"] for event in to_store] == [
        [{"user": cast.seller.pk, "id": bell.pk, "kind": "message_new", "unread": 1}]
    ]
    assert f"notifications.user.{cast.seller.pk}" not in [group for group, _ in heard]


def test_a_reply_to_a_review_notifies_its_buyer(cast, committed):
    order = delivered_order(cast.buyer, cast.store, number="R-1")
    product = order.lines.get().product
    review = reviews.review_create(actor=cast.buyer, product=product, rating=4, text="Хорошо")
    with committed():
        reviews.seller_reply_create(actor=cast.seller, review=review, text="Спасибо за отзыв!")
    notification = Notification.objects.get()
    assert notification.recipient == cast.buyer and notification.kind == "review_reply"
    assert notification.link == f"{product.get_absolute_url()}#review-{review.pk}"
    with translation.override("en"):
        assert render_notification(notification).title == (
            f"{cast.store.name} replied to your review of {product.title}"
        )
    with translation.override("ru"):
        assert render_notification(notification).title == (
            f"Магазин «{cast.store.name}» ответил на ваш отзыв о товаре «{product.title}»"
        )


def test_dedupe_key_makes_an_event_at_most_once(cast, committed):
    for _ in range(2):
        with committed():
            services.notify(
                recipients=[cast.seller],
                kind="reply_reminder",
                params={"buyer": "Buyer", "hours": 24, "store": "S"},
                link="/messages/1/",
                dedupe_key="reminder:1:1:24",
            )
    assert Notification.objects.count() == 1


def test_many_notices_get_their_own_bells_with_once_only_ones_among_them(cast, committed):
    """Plain notices are written together, once-only ones one by one; each notice still gets
    the bells of its own rows, and a once-only one already sent gets none."""
    notice = services.Notice
    reminder = {"buyer": "B", "hours": 24, "store": "S"}
    with committed():
        services.notify(recipients=[cast.seller], kind="reply_reminder", params=reminder,
                        link="/m/1/", dedupe_key="once")  # fmt: skip
        bells = services.notify_many([
            notice([cast.buyer, cast.seller], "message_new", "/m/1/", {"text": "a"}),
            notice([cast.seller], "reply_reminder", "/m/1/", reminder, dedupe_key="once"),
            notice([cast.seller], "reply_reminder", "/m/2/", reminder, dedupe_key="twice"),
            notice([cast.other_buyer], "message_new", "/m/3/", {"text": "b"}),
        ])  # fmt: skip
    stored = {n.pk: n for n in Notification.objects.all()}
    assert [[(b.user, stored[b.id].link, stored[b.id].kind) for b in rung] for rung in bells] == [
        [(cast.buyer.pk, "/m/1/", "message_new"), (cast.seller.pk, "/m/1/", "message_new")],
        [],
        [(cast.seller.pk, "/m/2/", "reply_reminder")],
        [(cast.other_buyer.pk, "/m/3/", "message_new")],
    ]
    assert bells[2][0].unread == 3 and bells[0][0].unread == 1  # the seller's: once, a, twice
    assert len(stored) == 5


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own statement counters")
def test_the_check_after_insert_is_prepared_once(cast, committed):
    """The pending e-mail index is partial: a flag given as a parameter made SQLite prepare
    the statement anew at every notification to see whether the index applied."""

    def counts() -> dict[str, tuple[int, int]]:
        rows = connection.connection.execute(
            "SELECT sql, reprep, run FROM sqlite_stmt WHERE sql LIKE '%e.emailed_at IS NULL%'"
            " AND sql NOT LIKE '%sqlite_stmt%'"
        )
        return {sql: (reprep, run) for sql, reprep, run in rows}

    before = counts()
    for n in range(3):
        with committed():
            services.notify(recipients=[cast.seller], kind="message_new", link=f"/m/{n}/",
                            params={"text": "a"}, group="conversation:1")  # fmt: skip
    after = counts()
    ran = {sql: (reprep - before.get(sql, (0, 0))[0], run - before.get(sql, (0, 0))[1])
           for sql, (reprep, run) in after.items()}  # fmt: skip
    assert sorted(ran.values()) == [(0, 0)] * (len(ran) - 1) + [(0, 3)]


def test_unknown_kind_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        services.notify(recipients=[cast.buyer], kind="nope", link="/")


def test_long_texts_are_clipped(cast, committed):
    with committed():
        services.notify(
            recipients=[cast.buyer], kind="message_new", link="/", params={"text": "я" * 1000}
        )
    assert len(Notification.objects.get().params["text"]) == services.PARAM_TEXT_MAX


def test_the_user_hears_the_new_count_after_commit(cast, committed, monkeypatch):
    heard = []
    monkeypatch.setattr(
        "parley.core.realtime.publish", lambda group, event: heard.append((group, event))
    )
    with committed():
        services.notify(recipients=[cast.buyer], kind="message_new", link="/", params={})
    assert heard[-1][0] == f"notifications.user.{cast.buyer.pk}"
    assert heard[-1][1]["type"] == "notification.new" and heard[-1][1]["unread"] == 1


def test_reading_the_conversation_to_its_end_reads_its_notifications(cast, conversation, committed):
    with committed():
        messaging.message_send(actor=cast.seller, conversation=conversation, body="Первое")
        messaging.message_send(actor=cast.seller, conversation=conversation, body="Второе")
    with committed():
        services.notify(recipients=[cast.buyer], kind="review_reply", link="/", params={})
    with committed():
        messaging.conversation_mark_read(actor=cast.buyer, conversation=conversation, up_to_seq=1)
    assert services.unread_count(cast.buyer.pk) == 3
    with committed():
        messaging.conversation_mark_read(actor=cast.buyer, conversation=conversation, up_to_seq=2)
    assert services.unread_count(cast.buyer.pk) == 1  # the review reply is another matter
