"""Search with real Russian phrases: forms of a word, ё/е, mixed Russian and English; every
expectation here holds on SQLite (FTS5 + PyStemmer) and on PostgreSQL (tsvector, russian),
which is how "the same results on both" is tested: run this file on both engines."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from parley.attachments.services import attachments_create_from_uploads
from parley.messaging import services as messaging
from parley.search import stopwords
from parley.search.selectors import SearchFilters, search_messages
from parley.search.text import highlight, index_stems, query_stems, words

from ..conftest import bearer_for, client_for
from ..factories import StoreFactory
from ..images import photo_bytes, upload

pytestmark = pytest.mark.django_db

DAY = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)

TEXTS = {
    "where": "Где мой заказ? Жду уже неделю.",
    "orders": "Заказы приходят быстро, спасибо!",
    "status": "Статус заказа изменился на «отправлен».",
    "tree": "Хочу купить ёлку к Новому году",
    "trees": "Искусственные елки есть в наличии?",
    "dhl": "Отправили через DHL, трек-номер пришлём в SMS",
    "shipped": "Your parcel was shipped yesterday, sorry for the delay",
    "seller": "Продавец ответил быстро",
    "seller2": "Спросил у продавца про размер",
}


@pytest.fixture
def corpus(cast, settings, tmp_path):
    """The buyer's conversation with the cast's store holds every text, one per day."""
    settings.MEDIA_ROOT = tmp_path / "media"
    conversation = messaging.conversation_open(actor=cast.buyer, store=cast.store)
    sent = {}
    for n, (key, text) in enumerate(TEXTS.items()):
        author = cast.seller if key in {"orders", "dhl", "shipped", "seller"} else cast.buyer
        with time_machine.travel(DAY + timedelta(days=n), tick=False):
            photos = []
            if key == "tree":
                photos = attachments_create_from_uploads(
                    owner=author, uploads=[upload(photo_bytes())]
                )
            sent[key], _ = messaging.message_send(
                actor=author, conversation=conversation, body=text, attachments=photos
            )
    return sent


def found(user, query, **filters):
    page = search_messages(user, query, SearchFilters(**filters), limit=100)
    by_id = {m.pk: k for k, m in _corpus_ids.items()}
    return sorted(by_id.get(h.message.pk, h.message.body) for h in page.hits)


_corpus_ids: dict = {}


@pytest.fixture(autouse=True)
def _remember(request):
    if "corpus" in request.fixturenames:
        _corpus_ids.clear()
        _corpus_ids.update(request.getfixturevalue("corpus"))
    yield
    _corpus_ids.clear()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("заказ", ["orders", "status", "where"]),  # заказ, заказы, заказа
        ("заказов", ["orders", "status", "where"]),
        ("Заказами", ["orders", "status", "where"]),
        ("ёлка", ["tree", "trees"]),  # ёлку and елки
        ("елки", ["tree", "trees"]),
        ("ЁЛОЧНЫЙ", []),  # another word, not another form
        ("заказ статус", ["status"]),  # every word must occur
        ("dhl трек", ["dhl"]),  # mixed Russian and English
        ("SMS", ["dhl"]),
        ("shipping", ["shipped"]),  # English forms too
        ("delays", ["shipped"]),
        ("продавец", ["seller"]),  # Snowball stems продавец/продавца apart — on both engines
        ("и в на", []),  # stop words only: nothing to look for
        ("мой заказ", ["orders", "status", "where"]),  # «мой» is a stop word on both
    ],
)
def test_forms_of_words_yo_and_mixed_languages(cast, corpus, query, expected):
    assert found(cast.buyer, query) == expected
    assert found(cast.seller, query) == expected


def test_new_messages_are_found_at_once(cast, corpus):
    conversation = corpus["where"].conversation
    messaging.message_send(actor=cast.seller, conversation=conversation, body="Заказик уехал")
    messaging.message_send(actor=cast.seller, conversation=conversation, body="Ваши заказы уехали")
    assert found(cast.buyer, "заказ") == ["orders", "status", "where", "Ваши заказы уехали"]


def test_nobody_finds_text_from_a_conversation_they_may_not_read(cast, corpus):
    assert found(cast.other_buyer, "заказ") == []
    assert found(cast.other_seller, "заказ") == []
    assert found(cast.arbitrator, "заказ") == []
    other = messaging.conversation_open(actor=cast.other_buyer, store=cast.other_store)
    messaging.message_send(actor=cast.other_buyer, conversation=other, body="Мой заказ потерян")
    assert found(cast.buyer, "потерян") == []
    assert found(cast.seller, "потерян") == []
    assert found(cast.other_seller, "заказ") == ["Мой заказ потерян"]


def test_filters_store_buyer_dates_and_photos(cast, corpus):
    elsewhere = StoreFactory(name="Ёлочный базар", slug="trees")
    from ..factories import MembershipFactory

    MembershipFactory(store=elsewhere, user=cast.seller)
    other = messaging.conversation_open(actor=cast.other_buyer, store=elsewhere)
    messaging.message_send(actor=cast.other_buyer, conversation=other, body="Ёлки привезёте?")
    assert found(cast.seller, "елка") == ["tree", "trees", "Ёлки привезёте?"]
    assert found(cast.seller, "елка", buyer=cast.buyer.pk) == ["tree", "trees"]
    assert found(cast.other_buyer, "елка", store="trees") == ["Ёлки привезёте?"]
    assert found(cast.buyer, "елка", store="trees") == []
    assert found(cast.buyer, "елка", has_photos=True) == ["tree"]
    tree_day = timezone.localdate(corpus["tree"].created_at)
    assert found(cast.buyer, "елка", date_from=tree_day, date_to=tree_day) == ["tree"]
    assert found(cast.buyer, "елка", date_from=tree_day + timedelta(days=1)) == ["trees"]


def test_highlight_marks_every_form_and_escapes_the_rest():
    text = "<b>Заказы</b> и заказа; ЁЛКА"
    assert str(highlight(text, query_stems("заказ ёлки"))) == (
        "&lt;b&gt;<mark>Заказы</mark>&lt;/b&gt; и <mark>заказа</mark>; <mark>ЁЛКА</mark>"
    )


def test_api_cursor_pagination_and_highlight(cast, corpus):
    client = client_for(None)
    headers = bearer_for(cast.buyer)
    first = client.get("/api/v1/search/messages?q=заказы&limit=2", headers=headers).json()
    assert [i["seq"] for i in first["items"]] == [3, 2]
    assert first["items"][0]["highlighted"] == (
        "Статус <mark>заказа</mark> изменился на «отправлен»."
    )
    assert first["items"][0]["url"].endswith("#m-3")
    rest = client.get(
        f"/api/v1/search/messages?q=заказы&limit=2&before={first['next_cursor']}",
        headers=headers,
    ).json()
    assert [i["seq"] for i in rest["items"]] == [1] and rest["next_cursor"] is None
    outsider = client.get("/api/v1/search/messages?q=заказы", headers=bearer_for(cast.other_buyer))
    assert outsider.json() == {"items": [], "next_cursor": None}
    assert client.get("/api/v1/search/messages?q=заказы").status_code == 401
    assert client.get("/api/v1/search/messages?q=", headers=headers).status_code == 422


@pytest.mark.parametrize("language", ["ru", "en"])
def test_search_page_in_both_languages(cast, corpus, language):
    client = client_for(cast.buyer, language)
    center = client.get("/messages/")
    assert 'action="/messages/search/"' in center.text
    page = client.get("/messages/search/", {"q": "заказов", "has_photos": ""})
    assert page.status_code == 200
    assert "<mark>заказ</mark>" in page.text and "<mark>Заказы</mark>" in page.text
    assert {"ru": "Искать в сообщениях", "en": "Search messages"}[language] in page.text
    nothing = client.get("/messages/search/", {"q": "жираф"})
    assert {"ru": "Ничего не найдено", "en": "Nothing found"}[language] in nothing.text
    assert client_for(None).get("/messages/search/").status_code == 302


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_stop_words_are_postgresqls(db):
    """Each word we drop is one the server drops, and the server's lists are ours."""
    with connection.cursor() as cursor:
        for word in sorted(stopwords.RUSSIAN | stopwords.ENGLISH):
            cursor.execute("SELECT to_tsvector('russian', %s)::text", [word])
            assert cursor.fetchone()[0] == "", word
    files = sorted(Path("/usr/share/postgresql").glob("*/tsearch_data"))
    if files:
        for name, ours in [("russian", stopwords.RUSSIAN), ("english", stopwords.ENGLISH)]:
            theirs = set((files[-1] / f"{name}.stop").read_text().split())
            assert theirs == set(ours), name


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_postgresql_has_the_gin_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_message_body_ru'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "russian" in definition


def test_pages_of_one_walk_every_match_newest_first_past_unreadable_ones(cast, corpus):
    """Newer matches the reader may not see lie between the pages; the cursor skips them."""
    other = messaging.conversation_open(actor=cast.other_buyer, store=cast.other_store)
    mine = messaging.conversation_open(actor=cast.buyer, store=cast.other_store)
    for n in range(3):
        messaging.message_send(actor=cast.other_buyer, conversation=other, body=f"заказ №{n}")
        messaging.message_send(actor=cast.buyer, conversation=mine, body=f"Заказы {n}")
    everything = [hit.message.pk for hit in search_messages(cast.buyer, "заказ", limit=100).hits]
    walked, before = [], None
    while True:
        page = search_messages(cast.buyer, "заказ", before=before, limit=1)
        walked += [hit.message.pk for hit in page.hits]
        if page.next_cursor is None:
            break
        before = page.next_cursor
    assert walked == everything == sorted(everything, reverse=True)
    assert len(walked) == 6  # three in the corpus, three in the second store


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_postgresql_reads_rare_words_from_the_index_and_walks_for_common_ones(cast, corpus):
    from parley.search import engines

    messaging_conversation = messaging.conversation_open(actor=cast.buyer, store=cast.other_store)
    for n in range(30):
        messaging.message_send(
            actor=cast.buyer, conversation=messaging_conversation, body=f"Заказ {n} оформлен"
        )
    before = found(cast.buyer, "заказ")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_message")
    assert engines._pg_rare_matches("заказ") is None  # listed in the statistics: walked
    assert engines._pg_rare_matches("носорог") is not None  # unknown: read from the index
    assert found(cast.buyer, "заказ") == before
    assert found(cast.buyer, "заказ носорог") == []
    assert found(cast.buyer, "DHL") == ["dhl"]


def test_words_are_found_in_the_text_as_written_then_normalised():
    """Lower-casing can add a mark that is not a letter (İ → i̇): words are cut first."""
    assert words("ЁЛКА, İstanbul; x_y 12шт") == ["елка", "i̇stanbul", "x", "y", "12шт"]
    assert words("") == words("_ -") == []
    assert index_stems("Ёлки и ЗАКАЗЫ") == "елк и заказ"
