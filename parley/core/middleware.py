"""Refuse NUL characters before they reach the database.

PostgreSQL cannot store U+0000 in text, so a NUL in any input would fail deep inside a query;
answering 400 at the door keeps every endpoint's promise of a clear error and no 500.
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


def request_has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or NUL in unquote_plus(request.META.get("QUERY_STRING", "")):
        return True
    content_type = request.content_type or ""
    if content_type == "application/json" and request.body:
        try:
            return contains_nul(json.loads(request.body))
        except (ValueError, UnicodeDecodeError):
            return False  # unreadable bodies are refused by the API with their own message
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return any(contains_nul(values) for _, values in request.POST.lists())
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            message = _("The request contains a NUL character, which is not allowed.")
            if request.path.startswith("/api/"):
                body = {"code": "invalid", "message": message, "detail": {}}
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
