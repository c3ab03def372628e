"""Who is on a WebSocket: the browser session, or a personal API token for other clients.

A token comes in the ``Authorization: Bearer <token>`` header or, for clients that cannot set
headers (browsers), as the subprotocol ``bearer.<token>`` next to the real one. A token that
is given but wrong makes the socket anonymous; it never falls back to the session.
"""

from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from .auth import token_user

SUBPROTOCOL_PREFIX = "bearer."


def bearer_token(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    for protocol in scope.get("subprotocols", []):
        if protocol.startswith(SUBPROTOCOL_PREFIX) and len(protocol) > len(SUBPROTOCOL_PREFIX):
            return protocol[len(SUBPROTOCOL_PREFIX) :]
    return None


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = bearer_token(scope)
        if token is not None:
            user = await token_user(token)
            scope = {**scope, "user": user or AnonymousUser()}
        return await super().__call__(scope, receive, send)


class ReadOnlySessionMiddleware(BaseMiddleware):
    """The browser's session, read when the socket opens and never written.

    channels' own session middleware wraps every frame the socket sends, to save a changed
    session on the way out: on a busy chat, a few percent of the process spent on a session
    the chat never changes."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        return await self.inner({**scope, "session": store(key)}, receive, send)


def websocket_auth(inner: Any) -> Any:
    """Session first (cookie), then a token, if one is given, takes its place."""
    return CookieMiddleware(ReadOnlySessionMiddleware(AuthMiddleware(TokenAuthMiddleware(inner))))
