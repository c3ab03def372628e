"""How the API knows who is calling: a Bearer token or the browser session."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from parley.core.batching import Batched

from .models import User
from .services import api_token_user, api_token_users

# Tokens of sockets connecting are looked up together, in one statement per burst (the API's
# send on the loop looks its tokens up in the send's own batch, ``messaging.services``).
TOKEN_BATCH_MAX = 200

token_user: Batched[str, User | None] = Batched(api_token_users, limit=TOKEN_BATCH_MAX)
"""``await token_user(raw)``: the token's active user, or None."""


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session; unsafe methods need the CSRF token, as forms do.

    A request that names a token, or has no session, is not a browser's: it is answered 401
    (not authenticated) rather than refused for a CSRF token it never had. A wrong token so
    never falls back to the session, as on the chat socket."""

    def __call__(self, request: HttpRequest) -> Any:
        if "authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)


api_auth = [BearerToken(), SessionAuth()]
