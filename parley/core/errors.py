"""Errors every app raises: a stable code, a translated message and an HTTP status.

Pages show the message; the API answers ``{"code": ..., "message": ..., "detail": ...}`` with
the status. Services raise these; nothing else decides what a user is told.
"""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTH_FAILED = "auth_failed"
    THROTTLED = "throttled"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"


STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.INVALID: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.AUTH_FAILED: 401,
    ErrorCode.THROTTLED: 429,
    ErrorCode.CONFLICT: 409,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA: 415,
}

DEFAULT_MESSAGES = {
    ErrorCode.INVALID: _("The request is not valid."),
    ErrorCode.NOT_FOUND: _("Not found."),
    ErrorCode.PERMISSION_DENIED: _("You are not allowed to do this."),
    ErrorCode.NOT_AUTHENTICATED: _("Please log in first."),
    ErrorCode.AUTH_FAILED: _("Wrong username or password."),
    ErrorCode.THROTTLED: _("Too many attempts. Please wait and try again."),
    ErrorCode.CONFLICT: _("Someone changed this at the same time. Reload and try again."),
    ErrorCode.TOO_LARGE: _("The file is too large."),
    ErrorCode.UNSUPPORTED_MEDIA: _("This kind of file is not accepted."),
}


class ParleyError(Exception):
    """A refusal a user can understand; raised by services, rendered by pages and the API."""

    def __init__(
        self,
        code: ErrorCode,
        message: Any = None,
        *,
        status: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES[code]
        self.status = status or STATUS_BY_CODE[code]
        self.detail = detail or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "message": str(self.message),
            "detail": self.detail,
        }


class NotFound(ParleyError):
    def __init__(self, message: Any = None) -> None:
        super().__init__(ErrorCode.NOT_FOUND, message)


class Invalid(ParleyError):
    def __init__(self, message: Any = None, *, field: str | None = None) -> None:
        super().__init__(ErrorCode.INVALID, message, detail={"field": field} if field else None)
