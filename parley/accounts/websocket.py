"""Who is on a WebSocket: the browser session, or a personal API token for other clients.

A token comes in the ``Authorization: Bearer <token>`` header or, for clients that cannot set
headers (browsers), as the subprotocol ``bearer.<token>`` next to the real one. A token that
is given but wrong makes the socket anonymous; it never falls back to the session.
"""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.middleware import BaseMiddleware
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


def websocket_auth(inner: Any) -> Any:
    """Session first (cookie), then a token, if one is given, takes its place."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
