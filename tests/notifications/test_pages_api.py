"""The bell, the notifications page, marking read, preferences; the same over the API; and
nobody touches another person's notifications."""

import pytest

from parley.notifications import services
from parley.notifications.models import Notification, Preference

from ..conftest import bearer_for, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def notes(cast, committed):
    with committed():
        for n in range(3):
            services.notify(
                recipients=[cast.buyer],
                kind="message_new",
                params={"sender": "Уютный дом", "text": f"Ответ {n}"},
                link=f"/messages/1/#m-{n + 1}",
            )
    return list(Notification.objects.filter(recipient=cast.buyer).order_by("id"))


def test_the_bell_shows_the_unread_count_in_both_languages(cast, notes):
    ru = client_for(cast.buyer).get("/notifications/")
    assert "data-bell-number>3<" in ru.text and "Уведомления" in ru.text
    assert "Новое сообщение от Уютный дом" in ru.text and "Ответ 2" in ru.text
    en = client_for(cast.buyer, "en").get("/notifications/")
    assert "New message from Уютный дом" in en.text and "Mark all as read" in en.text
    other = client_for(cast.other_buyer).get("/notifications/")
    assert "data-bell-number>0<" in other.text and "Ответ 2" not in other.text


def test_opening_marks_read_and_follows_the_link(cast, notes):
    client = client_for(cast.buyer)
    opened = client.get(f"/notifications/{notes[0].pk}/")
    assert opened.status_code == 302 and opened["Location"] == "/messages/1/#m-1"
    notes[0].refresh_from_db()
    assert notes[0].read_at is not None
    unread = client.get("/notifications/?show=unread")
    assert "Ответ 0" not in unread.text and "Ответ 1" in unread.text


def test_mark_one_and_all_read_from_the_page(cast, notes):
    client = client_for(cast.buyer)
    assert client.post(f"/notifications/{notes[1].pk}/read/").status_code == 302
    assert services.unread_count(cast.buyer.pk) == 2
    assert client.post("/notifications/read-all/").status_code == 302
    assert services.unread_count(cast.buyer.pk) == 0


def test_someone_elses_notification_is_not_found_and_unchanged(cast, notes):
    client = client_for(cast.other_buyer)
    assert client.get(f"/notifications/{notes[0].pk}/").status_code == 404
    assert client.post(f"/notifications/{notes[0].pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    assert services.unread_count(cast.buyer.pk) == 3
    api = client_for(None)
    headers = bearer_for(cast.other_buyer)
    response = api.post(f"{API}/notifications/{notes[0].pk}/read", headers=headers)
    assert response.status_code == 404
    assert services.unread_count(cast.buyer.pk) == 3


def test_anonymous_is_sent_to_log_in(cast, notes):
    assert client_for(None).get("/notifications/").status_code == 302
    assert client_for(None).get(f"{API}/notifications/unread-count").status_code == 401


def test_preferences_page_saves_choices(cast):
    client = client_for(cast.buyer)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "Ответы на мои отзывы" in page.text
    assert "checked" in page.text  # e-mail on by default
    client.post("/notifications/settings/", {"email_kinds": ["review_reply"]})
    chosen = dict(Preference.objects.filter(user=cast.buyer).values_list("kind", "email"))
    assert chosen["review_reply"] is True and chosen["message_new"] is False


def test_api_list_with_cursor_count_and_read(cast, notes):
    client = client_for(None)
    headers = bearer_for(cast.buyer)
    first = client.get(f"{API}/notifications?limit=2", headers=headers).json()
    assert [i["body"] for i in first["items"]] == ["Ответ 2", "Ответ 1"]
    assert first["items"][0]["title"] == "Новое сообщение от Уютный дом"
    second = client.get(
        f"{API}/notifications?limit=2&before={first['next_cursor']}", headers=headers
    ).json()
    assert [i["body"] for i in second["items"]] == ["Ответ 0"] and second["next_cursor"] is None
    count = client.get(f"{API}/notifications/unread-count", headers=headers).json()
    assert count == {"unread": 3}
    read = client.post(f"{API}/notifications/{notes[0].pk}/read", headers=headers).json()
    assert read["read"] is True
    unread = client.get(f"{API}/notifications?unread=true", headers=headers).json()
    assert len(unread["items"]) == 2
    done = client.post(f"{API}/notifications/read-all", headers=headers).json()
    assert done == {"marked": 2, "unread": 0}


def test_api_preferences_round_trip_and_refuse_unknown_kinds(cast):
    client = client_for(None)
    headers = bearer_for(cast.buyer)
    put = client.put(
        f"{API}/notifications/preferences",
        data={"email_kinds": ["dispute_decided"]},
        content_type="application/json",
        headers=headers,
    )
    assert put.status_code == 200 and put.json()["email"]["dispute_decided"] is True
    assert put.json()["email"]["message_new"] is False
    bad = client.put(
        f"{API}/notifications/preferences",
        data={"email_kinds": ["spam"]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["message"] == "Неизвестный вид уведомлений."
    got = client.get(f"{API}/notifications/preferences", headers=headers).json()
    assert got == put.json()
