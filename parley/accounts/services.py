"""Sign-in with throttling, and API tokens."""

import copy
import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from parley.core import sql
from parley.core.errors import ErrorCode, ParleyError

from .models import ApiToken, User

TOKEN_BYTES = 32


def _failure_keys(username: str, client_ip: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return [f"login-fail:user:{user_key}", f"login-fail:ip:{client_ip}"]


def _is_throttled(username: str, client_ip: str) -> bool:
    return any(
        (cache.get(key) or 0) >= settings.LOGIN_MAX_FAILURES
        for key in _failure_keys(username, client_ip)
    )


def _record_failure(username: str, client_ip: str) -> None:
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    for key in _failure_keys(username, client_ip):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def credentials_check(*, request: Any, username: str, password: str) -> User:
    """Return the user for these credentials, refusing once too many attempts failed.

    Failures count per username and per client address within the window, so guessing one
    account's password from many places and many accounts from one place are both slowed.
    """
    client_ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    if _is_throttled(username, client_ip):
        raise ParleyError(ErrorCode.THROTTLED)
    user = authenticate(request, username=username, password=password)
    if user is None:
        _record_failure(username, client_ip)
        raise ParleyError(ErrorCode.AUTH_FAILED)
    return user


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name[:80], key_hash=hash_token(raw), prefix=raw[:8]
    )
    return token, raw


# Within this many seconds of the last noted use, a token's use is not written again.
TOKEN_USE_RESOLUTION_SECONDS = 60

_USERS_BY_KEY_HASH = """
    SELECT u.*, t.id AS token_id, t.key_hash AS token_hash,
           (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_use_stale
    FROM {user} u JOIN {token} t ON t.user_id = u.id
    WHERE t.key_hash IN ({hashes}) AND u.is_active
"""


def api_token_user(raw: str) -> User | None:
    """Return the active user a raw token belongs to, noting when it was last used."""
    return api_token_users([raw])[0]


def api_token_users(raws: Sequence[str]) -> list[User | None]:
    """The active user of each raw token (None for an unknown one), noting the tokens' use.

    One statement for the users and whether each use must be noted, whatever the number of
    tokens: every API request runs it, and building the joined query through the ORM took
    longer than running it. Each token gets a user object of its own, even when two are the
    same, so that no caller sees another's changes."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=TOKEN_USE_RESOLUTION_SECONDS)
    hashes = [hash_token(raw) for raw in raws]
    query = _USERS_BY_KEY_HASH.format(
        user=User._meta.db_table,
        token=ApiToken._meta.db_table,
        hashes=sql.placeholders(len(set(hashes))),
    )
    params = [connection.ops.adapt_datetimefield_value(stale_before), *sorted(set(hashes))]
    found = {user.token_hash: user for user in User.objects.raw(query, params)}
    stale = [user.token_id for user in found.values() if user.token_use_stale]
    if stale:
        ApiToken.objects.filter(pk__in=stale).update(last_used_at=now)
    users: list[User | None] = []
    handed: set[str] = set()
    for key in hashes:
        user = found.get(key)
        users.append(copy.copy(user) if user is not None and key in handed else user)
        handed.add(key)
    return users
