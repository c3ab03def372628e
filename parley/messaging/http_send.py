"""``POST /api/v1/conversations/{id}/messages`` on the event loop, in the sockets' group commit.

The API's send is what an integration calls for every message it relays, its busiest write.
Through Django, each request ran the middleware chain, ninja and a transaction of its own, one
after another on the process's one database thread (``core.handlers``): about 2 ms each, which
held a process near 450 sends a second however many callers there were. Here the request is
read on the event loop, its token is looked up together with the other requests' of the moment
(``accounts.auth.token_user``), and its message joins the next batch of the group commit
(``sending.send``): one trip to the database thread per burst, not per request.

Only the plain case takes this path: a Bearer token and a JSON body holding text alone. The
rest goes to Django, which answers with the API's documented errors in the caller's language:
a browser session (and its CSRF check), photos, a product or an order, and every request this
path would refuse, whether the token is wrong, the body is not valid or the rules refuse the
message. A refused message has written nothing, so trying it again there changes nothing, and
the API keeps one set of rules and one set of messages.
"""

import functools
import json
import re
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie
from django.urls import reverse
from django.utils.translation import get_language_from_request
from pydantic import ValidationError

from parley.accounts.auth import token_user
from parley.core.middleware import contains_nul

from . import sending
from .api import ID_MAX
from .payloads import message_payload
from .schemas import MessageIn
from .services import Draft

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# The request headers this path reads; a request repeating one of them goes to Django.
READ_HEADERS = (b"authorization", b"content-type", b"idempotency-key", b"cookie",
                b"accept-language")  # fmt: skip


def security_headers() -> list[tuple[bytes, bytes]]:
    """What Django's security and clickjacking middleware add to every answer."""
    headers = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"X-Content-Type-Options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        policy = policy if isinstance(policy, str) else ",".join(policy)
        headers.append((b"Referrer-Policy", policy.encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(
            (b"Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode())
        )
    headers.append((b"X-Frame-Options", settings.X_FRAME_OPTIONS.encode()))
    return headers


class SendOnLoop:
    """ASGI: the plain API send here, every other request to ``app`` (Django)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.path = re.compile(
            re.escape(reverse("api-1:message_send", args=[0])).replace("0", r"(\d{1,10})", 1)
        )
        self.headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if scope["type"] == "http" and scope["method"] == "POST":
            match = self.path.fullmatch(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        answer = await self._answer(scope, int(match[1]), body) if complete else None
        if answer is None:  # Django decides, from the start of the same request
            await self.app(scope, _replaying(body, complete, receive), send)
            return
        status, content, language = answer
        headers = [
            (b"Content-Type", b"application/json; charset=utf-8"),
            (b"Content-Length", str(len(content)).encode()),
            *self.headers,
            (b"Vary", b"Accept-Language, Cookie"),
            (b"Content-Language", language.encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _answer(
        self, scope: Scope, conversation_id: int, body: bytes
    ) -> tuple[int, bytes, str] | None:
        """The status, body and language of a sent message, or None for Django to answer."""
        headers = _single_headers(scope)
        if headers is None or conversation_id > ID_MAX:
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
        if scheme.lower() != "bearer" or not token or content_type != b"application/json":
            return None
        try:
            fields = json.loads(body)
            data = MessageIn.model_validate(fields)
        except (ValueError, ValidationError):  # bad JSON or UTF-8 is a ValueError too
            return None
        if contains_nul(fields) or data.attachments or data.product or data.order is not None:
            return None
        key = headers.get(b"idempotency-key")
        user = await token_user(token)
        if user is None:
            return None
        draft = Draft(user, conversation_id, data.body,
                      client_id=key.decode("latin-1") if key is not None else None)  # fmt: skip
        outcome = await sending.send(draft)
        if isinstance(outcome, Exception):
            return None
        message, created = outcome
        # Text alone, and a retry must repeat the original exactly: it has no photos either.
        # The payload is ``MessageOut``'s shape, field for field (a test compares this answer
        # with the view's byte for byte); only the time is left for the API's encoder to write,
        # rather than validating the whole payload again.
        payload = {**message_payload(message, ()), "created_at": message.created_at}
        content = json.dumps(payload, cls=_encoder()).encode()
        return 201 if created else 200, content, _language(headers)


def _encoder() -> type[json.JSONEncoder]:
    from parley.api import api  # the API imports this app's routes

    return api.renderer.encoder_class


def _language(headers: dict[bytes, bytes]) -> str:
    """The language Django's LocaleMiddleware would choose: the cookie, then the header."""
    cookie = headers.get(b"cookie")
    chosen = parse_cookie(cookie.decode("latin-1")) if cookie else {}
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return _negotiated(chosen.get(settings.LANGUAGE_COOKIE_NAME), accept)


@functools.lru_cache(maxsize=256)
def _negotiated(cookie: str | None, accept_language: str) -> str:
    """Callers send few distinct headers; Django's negotiation is the same for each."""
    cookies = {settings.LANGUAGE_COOKIE_NAME: cookie} if cookie is not None else {}
    request = SimpleNamespace(COOKIES=cookies, META={"HTTP_ACCEPT_LANGUAGE": accept_language})
    return get_language_from_request(request)


def _single_headers(scope: Scope) -> dict[bytes, bytes] | None:
    """The headers this path reads, or None if one of them is repeated."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in READ_HEADERS:
            if name in found:
                return None
            found[name] = value
    return found


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The body, and whether it is all there: at most Django's own limit is read here."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False  # gone: Django sees the rest of the story
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """``receive`` as if nothing had been read yet."""
    pending = [{"type": "http.request", "body": body, "more_body": not complete}]

    async def replay() -> dict[str, Any]:
        return pending.pop() if pending else await receive()

    return replay
