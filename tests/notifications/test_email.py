"""E-mail: only to the away, batched per conversation per quiet period, in the recipient's
language, sent from the job queue, retried, never twice; preferences and unsubscribe links."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parley.messaging import services as messaging
from parley.notifications import services
from parley.notifications.models import Notification, Preference, Presence
from parley.notifications.render import unsubscribe_token
from parley.notifications.tasks import email_notifications

from ..conftest import client_for
from .conftest import run_worker

pytestmark = pytest.mark.django_db

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.NOTIFY_EMAIL_QUIET_MINUTES = 10
    settings.NOTIFY_EMAIL_AWAY_AFTER_MINUTES = 15
    settings.NOTIFY_EMAIL_DEFAULT = True


def send(actor, conversation, body, committed):
    with committed():
        messaging.message_send(actor=actor, conversation=conversation, body=body)


def test_a_chat_burst_makes_one_email_after_the_quiet_period(cast, conversation, committed):
    with time_machine.travel(START, tick=False) as clock:
        for minute, text in enumerate(["Здравствуйте!", "Есть синий?", "И размер M?"]):
            clock.move_to(START + timedelta(minutes=minute * 3))
            send(cast.buyer, conversation, text, committed)
        clock.move_to(START + timedelta(minutes=6 + 9, seconds=59))
        run_worker()
        assert mail.outbox == []  # the last message is not yet 10 minutes old
        clock.move_to(START + timedelta(minutes=7 + 10))  # its slot's job has run by now
        run_worker()
        run_worker()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["seller@example.com"]
    assert email.subject.startswith("3 новых уведомления: Новое сообщение от Buyer")
    for text in ["Здравствуйте!", "Есть синий?", "И размер M?"]:
        assert text in email.body
    assert f"/messages/{conversation.pk}/#m-3" in email.body
    assert "/notifications/unsubscribe/" in email.body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_messages_in_one_slot_queue_one_job_and_the_next_slot_another(
    cast, conversation, committed
):
    with time_machine.travel(START + timedelta(seconds=5), tick=False) as clock:
        for second in (5, 20, 59):
            clock.move_to(START + timedelta(seconds=second))
            send(cast.buyer, conversation, f"В {second} секунд", committed)
        assert DBTaskResult.objects.filter(task_path__endswith="email_notifications").count() == 1
        clock.move_to(START + timedelta(minutes=1))
        send(cast.buyer, conversation, "Уже в следующей минуте", committed)
        jobs = DBTaskResult.objects.filter(task_path__endswith="email_notifications")
        assert sorted(job.run_after for job in jobs) == [
            START + timedelta(minutes=1 + 10),
            START + timedelta(minutes=2 + 10),
        ]
        clock.move_to(START + timedelta(minutes=10, seconds=59))
        run_worker()
        assert mail.outbox == []  # no job is due yet
        clock.move_to(START + timedelta(minutes=11))
        run_worker()  # the first slot's job: the conversation is quiet, it sends all four
        clock.move_to(START + timedelta(minutes=12))
        run_worker()  # the second slot's job finds nothing left
    assert len(mail.outbox) == 1
    assert "Уже в следующей минуте" in mail.outbox[0].body and "В 5 секунд" in mail.outbox[0].body


def test_running_the_job_twice_never_sends_twice(cast, conversation, committed):
    with time_machine.travel(START, tick=False) as clock:
        send(cast.buyer, conversation, "Один раз", committed)
        clock.shift(timedelta(minutes=11))
        group = f"conversation:{conversation.pk}"
        assert email_notifications.call(recipient_id=cast.seller.pk, group=group) == 1
        assert email_notifications.call(recipient_id=cast.seller.pk, group=group) == 0
        run_worker()
    assert len(mail.outbox) == 1


def test_no_email_to_someone_on_the_site_or_who_has_read_it(cast, conversation, committed):
    with time_machine.travel(START, tick=False) as clock:
        Presence.objects.create(user=cast.seller, last_seen_at=START)
        send(cast.buyer, conversation, "Вы тут?", committed)
        clock.shift(timedelta(minutes=11))  # the job runs; seen 11 minutes ago: not away yet
        run_worker()
        send(cast.seller, conversation, "Да", committed)
        buyer_note = Notification.objects.get(recipient=cast.buyer)
        services.notification_mark_read(actor=cast.buyer, notification_id=buyer_note.pk)
        clock.shift(timedelta(hours=1))
        run_worker()
    assert mail.outbox == []
    assert not Notification.objects.filter(email_wanted=True).exists()


def test_away_after_the_setting_gets_email_in_their_language(cast, conversation, committed):
    cast.seller.language = "en"
    cast.seller.save()
    with time_machine.travel(START, tick=False) as clock:
        Presence.objects.create(user=cast.seller, last_seen_at=START - timedelta(minutes=4))
        send(cast.buyer, conversation, "Есть синий?", committed)
        clock.shift(timedelta(minutes=11))  # the job runs; seen exactly 15 minutes ago: away
        run_worker()
    assert [m.subject for m in mail.outbox] == ["New message from Buyer · Parley"]
    assert "Hello, Seller!" in mail.outbox[0].body


def test_a_failed_send_is_retried_later_and_marks_nothing(
    cast, conversation, committed, monkeypatch
):
    calls = []

    def flaky(self, fail_silently=False):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("SMTP is down")
        return mail.EmailMessage.send(self, fail_silently)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", flaky)
    with time_machine.travel(START, tick=False) as clock:
        send(cast.buyer, conversation, "Повтор", committed)
        clock.shift(timedelta(minutes=11))  # the slot's job runs
        run_worker()
        assert Notification.objects.get().emailed_at is None
        clock.shift(timedelta(seconds=59))
        run_worker()
        assert calls == [1]  # the retry waits its back-off
        clock.shift(timedelta(seconds=1))
        run_worker()
    assert len(calls) == 2
    assert Notification.objects.get().emailed_at is not None


def test_in_app_only_kinds_send_no_email(cast, conversation, committed):
    services.preferences_set(actor=cast.seller, email_kinds=["review_reply"])
    with time_machine.travel(START, tick=False) as clock:
        send(cast.buyer, conversation, "Только в колокольчик", committed)
        clock.shift(timedelta(hours=1))
        run_worker()
    assert mail.outbox == []
    assert Notification.objects.get().email_wanted is False


def test_unsubscribe_link_asks_then_turns_off_that_kind_only(cast):
    token = unsubscribe_token(cast.seller, "message_new")
    client = client_for(None)
    asked = client.get(f"/notifications/unsubscribe/{token}/")
    assert asked.status_code == 200 and not Preference.objects.exists()
    assert "Больше не присылать письма о «Новые сообщения»?" in asked.text
    done = client.post(f"/notifications/unsubscribe/{token}/")
    assert done.status_code == 200
    assert list(Preference.objects.values_list("user__username", "kind", "email")) == [
        ("seller", "message_new", False)
    ]


def test_a_tampered_unsubscribe_link_is_not_found(cast):
    token = unsubscribe_token(cast.seller, "message_new")
    other = unsubscribe_token(cast.buyer, "message_new")
    forged = token.replace(token.split(":")[0], other.split(":")[0])
    client = client_for(None)
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    assert client.post("/notifications/unsubscribe/nonsense/").status_code == 404
    assert not Preference.objects.exists()


def test_presence_is_recorded_at_most_once_a_minute(cast, settings):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(cast.buyer)
        client.get("/")
        assert Presence.objects.get(user=cast.buyer).last_seen_at == START
        clock.shift(timedelta(seconds=59))
        client.get("/")
        assert Presence.objects.get(user=cast.buyer).last_seen_at == START
        clock.shift(timedelta(seconds=2))
        client.get("/")
        assert Presence.objects.get(user=cast.buyer).last_seen_at == START + timedelta(seconds=61)
