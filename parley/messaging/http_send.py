"""``POST /api/v1/conversations/{id}/messages`` on the event loop, in the sockets' group commit.

The API's send is what an integration calls for every message it relays, its busiest write.
Through Django, each request ran the middleware chain, ninja and a transaction of its own, one
after another on the process's one database thread (``core.handlers``): about 2 ms each, which
held a process near 450 sends a second however many callers there were. Here the request is
read on the event loop, and its message joins the next batch of the group commit
(``sending.send``), where its token is looked up together with the other requests' of the
moment: one trip to the database thread per burst, not per request.

Only the plain case takes this path: a Bearer token and a JSON body holding text alone. The
rest goes to Django, which answers with the API's documented errors in the caller's language:
a browser session (and its CSRF check), photos, a product or an order, and every request this
path would refuse, whether the token is wrong, the body is not valid or the rules refuse the
message. A refused message has written nothing, so trying it again there changes nothing, and
the API keeps one set of rules and one set of messages.
"""

import io
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from pydantic import ValidationError

from parley.core.middleware import contains_nul

from . import sending
from .api import ID_MAX, api_answer
from .payloads import message_api_payload
from .schemas import MessageIn
from .services import Draft, TokenHolder

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# The request headers this path reads; a request repeating one of them goes to Django.
READ_HEADERS = (b"authorization", b"content-type", b"idempotency-key", b"cookie")

# Middleware that shape an API answer, or refuse a request, without the database: this path
# runs them itself, as Django's chain would (a redirect to HTTPS, a host that is not allowed
# or a refused client goes to Django instead).
SHAPING = (SecurityMiddleware, CommonMiddleware, LocaleMiddleware, XFrameOptionsMiddleware)
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
# Middleware with nothing to do for a plain send with a token. A session's middleware reads
# the (absent) session, so the answer varies by Cookie; a request with a session cookie goes
# to Django, where the session can be read from the database.
PASSIVE = {
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files only
    "parley.core.middleware.RejectNulMiddleware",  # a NUL goes to Django
    SESSION,
    "django.middleware.csrf.CsrfViewMiddleware",  # a token is not a browser
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parley.accounts.middleware.ReaderTimeZoneMiddleware",  # the answer's times are UTC
    "parley.notifications.middleware.PresenceMiddleware",  # notes signed-in browsers only
    "django.contrib.messages.middleware.MessageMiddleware",
}


class SendOnLoop:
    """ASGI: the plain API send here, every other request to ``app`` (Django's handler).

    Should ``MIDDLEWARE`` hold one this path does not know, every request goes to Django."""

    def __init__(self, app: ASGIHandler) -> None:
        self.app = app
        self.path = re.compile(
            re.escape(reverse("api-1:message_send", args=[0])).replace("0", r"(\d{1,10})", 1)
        )
        known = {f"{m.__module__}.{m.__qualname__}" for m in SHAPING} | PASSIVE
        self.enabled = set(settings.MIDDLEWARE) <= known
        self.chain = [
            (path, import_string(path)(_never_called) if path not in PASSIVE else None)
            for path in settings.MIDDLEWARE
            if self.enabled
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if self.enabled and scope["type"] == "http" and scope["method"] == "POST":
            match = self.path.fullmatch(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        response = await self._answer(scope, int(match[1]), body) if complete else None
        if response is None:  # Django decides, from the start of the same request
            await self.app(scope, _replaying(body, complete, receive), send)
            return
        await self.app.send_response(response, send)

    async def _answer(self, scope: Scope, conversation_id: int, body: bytes) -> HttpResponse | None:
        """The answer to a plain send, or None for Django to answer the request."""
        headers = _single_headers(scope)
        if headers is None or conversation_id > ID_MAX:
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
        if scheme.lower() != "bearer" or not token or content_type != b"application/json":
            return None
        if settings.SESSION_COOKIE_NAME.encode() in headers.get(b"cookie", b""):
            return None
        try:
            fields = json.loads(body)
            data = MessageIn.model_validate(fields)
        except (ValueError, ValidationError):  # bad JSON or UTF-8 is a ValueError too
            return None
        if contains_nul(fields) or data.attachments or data.product or data.order is not None:
            return None
        request = ASGIRequest(scope, io.BytesIO(body))
        if not self._let_through(request):
            return None
        key = headers.get(b"idempotency-key")
        client_id = key.decode("latin-1") if key is not None else None
        draft = Draft(TokenHolder(token), conversation_id, data.body, client_id=client_id)
        outcome = await sending.send(draft)
        if isinstance(outcome, Exception):
            return None
        message, created = outcome
        # Text alone, and a retry must repeat the original exactly: it has no photos either.
        # The payload is ``MessageOut``'s shape, field for field (a test compares this answer
        # with the view's byte for byte); only the time is left for the API's encoder to write,
        # rather than validating the whole payload again.
        answer = api_answer(message_api_payload(message, ()), 201 if created else 200)
        return self._shaped(request, answer)

    def _let_through(self, request: HttpRequest) -> bool:
        """Whether the middleware would let the request reach the view, as they see it."""
        try:
            for _, middleware in self.chain:
                check = getattr(middleware, "process_request", None)
                if check is not None and check(request) is not None:
                    return False
        except DisallowedHost:
            return False
        return True

    def _shaped(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        for path, middleware in reversed(self.chain):
            if middleware is not None:
                response = middleware.process_response(request, response)
            elif path == SESSION:
                patch_vary_headers(response, ("Cookie",))
        return response


def _never_called(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError("this path calls the middleware's request and response halves alone")


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
