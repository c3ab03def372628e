"""The API's plain send on the event loop (``messaging.http_send``): the same answers as the
Django view, byte for byte, and Django's own answer for everything it does not take."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.core.signals import request_started

from parley.accounts.auth import token_user
from parley.asgi import application, django_asgi_app
from parley.core.handlers import SyncChainASGIHandler
from parley.messaging import services
from parley.messaging.http_send import SendOnLoop
from parley.messaging.models import Message

from .conftest import bearer_for, client_for
from .factories import ProductFactory
from .test_asgi_http import call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dialog(cast):
    return services.conversation_open(actor=cast.buyer, store=cast.store)


@pytest.fixture
def django_requests():
    """The requests Django's handler saw (this path never starts one)."""
    seen = []

    def note(sender, scope=None, **kwargs):
        seen.append(scope["path"] if scope else None)

    request_started.connect(note)
    yield seen
    request_started.disconnect(note)


async def headers_for(user, **more: str) -> dict[str, str]:
    headers = await database_sync_to_async(bearer_for)(user)
    return {**headers, "content-type": "application/json", **more}


def stored(conversation) -> list[tuple[int, str, str | None]]:
    rows = Message.objects.filter(conversation=conversation).order_by("seq")
    return list(rows.values_list("seq", "body", "client_id"))


async def post(app, path: str, headers: dict[str, str], payload) -> tuple[int, dict, bytes]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return await call("POST", path, headers, body, app=app)


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_plain_send_answers_as_the_django_view_does(
    cast, dialog, django_requests, language
):
    """Sent here, then retried through the Django view and here: the same status, headers and
    JSON, byte for byte, for the stored message."""
    headers = await headers_for(
        cast.buyer, **{"accept-language": language, "idempotency-key": "k1"}
    )
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    first = await post(application, path, headers, {"body": "Есть синий?"})
    assert django_requests == []
    assert first[0] == 201
    through_django = await post(django_asgi_app, path, headers, {"body": "Есть синий?"})
    again = await post(application, path, headers, {"body": "Есть синий?"})
    assert django_requests == [path]
    assert through_django[0] == again[0] == 200
    assert through_django[1] == again[1]
    assert through_django[2] == again[2] == first[2]
    assert again[1]["content-language"] == language
    sent = json.loads(first[2])
    assert (sent["seq"], sent["body"], sent["client_id"]) == (1, "Есть синий?", "k1")
    assert sent["sender"] == {"id": cast.buyer.pk, "name": cast.buyer.public_name}
    assert await database_sync_to_async(stored)(dialog) == [(1, "Есть синий?", "k1")]


async def test_a_new_message_answers_with_the_django_views_headers(cast, dialog):
    headers = await headers_for(cast.buyer)
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    here = await post(application, path, headers, {"body": "раз"})
    there = await post(django_asgi_app, path, headers, {"body": "два"})
    assert here[0] == there[0] == 201
    assert {k: v for k, v in here[1].items() if k != "content-length"} == {
        k: v for k, v in there[1].items() if k != "content-length"
    }
    assert [json.loads(answer[2])["seq"] for answer in (here, there)] == [1, 2]


async def test_sends_arriving_together_share_a_batch_and_keep_their_order(
    cast, dialog, django_requests, batch_sizes, monkeypatch
):
    """One trip to the database thread per batch: the tokens are looked up in the batch that
    writes the messages, not in a trip of their own."""
    batches = batch_sizes
    token_trips = []
    monkeypatch.setattr(token_user, "run", lambda raws: token_trips.append(raws) or [])
    headers = await headers_for(cast.buyer)
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    answers = await asyncio.gather(
        *(post(application, path, headers, {"body": f"n{n}"}) for n in range(12))
    )
    assert [status for status, _, _ in answers] == [201] * 12
    assert sum(batches) == 12 and len(batches) < 12
    assert token_trips == []
    assert django_requests == []
    seqs = {json.loads(body)["body"]: json.loads(body)["seq"] for _, _, body in answers}
    assert sorted(seqs.values()) == list(range(1, 13))
    assert [body for _, body, _ in await database_sync_to_async(stored)(dialog)] == sorted(
        seqs, key=seqs.get
    )


async def refused(app_path: str, headers, payload) -> tuple[int, dict]:
    status, _, body = await post(application, app_path, headers, payload)
    return status, json.loads(body)


async def test_what_this_path_refuses_gets_the_django_views_answer(cast, dialog, django_requests):
    headers = await headers_for(cast.buyer, **{"accept-language": "en"})
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    cases = [
        (path, {**headers, "authorization": "Bearer wrong"}, {"body": "x"}, 401),
        (path, headers, {"body": "   "}, 400),
        (path, headers, {"body": "x" * 100_001}, 422),
        (path, headers, {"body": "nul \u0000"}, 400),
        (path, headers, b"{not json", 400),
        (path, headers, [1, 2], 400),
        (path, {**headers, "idempotency-key": "has space"}, {"body": "x"}, 400),
        (f"/api/v1/conversations/{dialog.pk + 1000}/messages", headers, {"body": "x"}, 404),
        (f"/api/v1/conversations/{2**31}/messages", headers, {"body": "x"}, 404),
    ]
    for case_path, case_headers, payload, expected in cases:
        status, answer = await refused(case_path, case_headers, payload)
        assert status == expected, (payload, answer)
        assert set(answer) == {"code", "message", "detail"}
    assert len(django_requests) == len(cases)
    not_mine = await headers_for(cast.other_buyer)
    assert (await refused(path, not_mine, {"body": "x"}))[0] == 404
    assert await database_sync_to_async(stored)(dialog) == []


async def test_an_idempotency_key_reused_for_another_text_is_refused(cast, dialog):
    headers = await headers_for(cast.buyer, **{"idempotency-key": "same"})
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    assert (await post(application, path, headers, {"body": "first"}))[0] == 201
    status, answer = await refused(path, headers, {"body": "second"})
    assert (status, answer["code"]) == (409, "conflict")
    assert await database_sync_to_async(stored)(dialog) == [(1, "first", "same")]


async def test_a_product_or_a_session_goes_through_django(cast, dialog, django_requests):
    product = await database_sync_to_async(ProductFactory)(store=cast.store, title="Лампа")
    headers = await headers_for(cast.buyer)
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    status, _, body = await post(
        application, path, headers, {"body": "о лампе", "product": product.pk}
    )
    assert status == 201 and json.loads(body)["context"]["title"] == "Лампа"
    assert django_requests == [path]


async def test_a_body_in_several_parts_is_read_whole(cast, dialog):
    headers = await headers_for(cast.buyer)
    payload = json.dumps({"body": "по частям"}).encode()
    parts = [
        {"type": "http.request", "body": payload[:5], "more_body": True},
        {"type": "http.request", "body": payload[5:], "more_body": False},
    ]
    sent = []

    async def receive():
        return parts.pop(0)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": f"/api/v1/conversations/{dialog.pk}/messages",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "query_string": b"", "http_version": "1.1", "scheme": "http", "root_path": "",
        "server": ("testserver", 80), "client": ("127.0.0.1", 1234),
    }  # fmt: skip
    await application(scope, receive, send)
    assert sent[0]["status"] == 201
    assert json.loads(sent[1]["body"])["body"] == "по частям"


async def test_the_language_cookie_outranks_the_header_as_in_django(cast, dialog):
    cookie = {"cookie": "django_language=en; other=1", "accept-language": "ru"}
    headers = await headers_for(cast.buyer, **cookie)
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    here = await post(application, path, headers, {"body": "раз"})
    there = await post(django_asgi_app, path, headers, {"body": "два"})
    assert here[1]["content-language"] == there[1]["content-language"] == "en"


def fresh_apps() -> tuple[SendOnLoop, SyncChainASGIHandler]:
    """Both built under the test's settings (middleware read theirs when made)."""
    django_app = SyncChainASGIHandler()
    return SendOnLoop(django_app), django_app


PRODUCTION = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
}


async def test_behind_an_https_proxy_the_answer_carries_what_django_adds(
    cast, dialog, settings, django_requests
):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    here_app, django_app = fresh_apps()
    headers = await headers_for(cast.buyer, **{"x-forwarded-proto": "https"})
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    here = await post(here_app, path, headers, {"body": "раз"})
    there = await post(django_app, path, headers, {"body": "два"})
    assert django_requests == [path]
    assert here[0] == there[0] == 201
    assert here[1]["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert {k: v for k, v in here[1].items() if k != "content-length"} == {
        k: v for k, v in there[1].items() if k != "content-length"
    }


async def test_plain_http_that_must_be_redirected_or_a_foreign_host_goes_to_django(
    cast, dialog, settings
):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    here_app, _ = fresh_apps()
    headers = await headers_for(cast.buyer)
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    status, found, _ = await post(here_app, path, headers, {"body": "http"})
    assert status == 301 and found["location"].startswith("https://")
    settings.SECURE_SSL_REDIRECT = False
    here_app, _ = fresh_apps()
    status, _, _ = await call(
        "POST", path, {**headers, "host": "evil.example"}, b'{"body": "x"}', app=here_app
    )
    assert status == 400
    assert await database_sync_to_async(stored)(dialog) == []


async def test_a_session_cookie_or_an_unknown_middleware_leaves_the_send_to_django(
    cast, dialog, settings, django_requests
):
    key = await database_sync_to_async(lambda: client_for(cast.buyer).session.session_key)()
    headers = await headers_for(cast.buyer, cookie=f"{settings.SESSION_COOKIE_NAME}={key}")
    path = f"/api/v1/conversations/{dialog.pk}/messages"
    assert (await post(application, path, headers, {"body": "с сессией"}))[0] == 201
    assert django_requests == [path]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
    assert fresh_apps()[0].enabled is False
