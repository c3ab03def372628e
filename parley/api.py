"""The versioned JSON API: one NinjaAPI, each app adds its router; errors are uniform."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley.accounts.api import router as accounts_router
from parley.attachments.api import router as attachments_router
from parley.core.errors import ErrorCode, ParleyError
from parley.core.schemas import ErrorOut
from parley.disputes.api import router as disputes_router
from parley.marketplace.api import router as marketplace_router
from parley.messaging.api import router as messaging_router
from parley.notifications.api import router as notifications_router
from parley.reviews.api import router as reviews_router
from parley.search.api import router as search_router
from parley.workspace.api import router as workspace_router

ERROR_RESPONSES = {
    "400": "The request could not be read (bad JSON or UTF-8, or a NUL character).",
    "401": "Not authenticated: log in or send `Authorization: Bearer <token>`.",
    "403": "Not allowed (for the browser session: a missing or wrong CSRF token).",
    "422": "The request does not match the documented shape; `detail.errors` says where.",
}


class ParleyAPI(NinjaAPI):
    """Documents the errors every operation can answer, so clients and fuzzers can rely on it."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
        error_ref = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                codes = ["400", "422"] + (["401", "403"] if operation.get("security") else [])
                for code in codes:
                    responses.setdefault(code, {"description": ERROR_RESPONSES[code], **error_ref})
        return schema


api = ParleyAPI(
    title="Parley API",
    version="1",
    description="Buyer–seller messages, chat, reviews and disputes. See the README, 'API'.",
    urls_namespace="api-1",
    docs_url="/docs",
)


def rendered(data: Any, status: int = 200) -> HttpResponse:
    """``data``, already in its response schema's shape, written by the API's renderer without
    validating it again: for the busiest answers (the history, a sent message), where checking
    a page of fifty messages cost a third of the request. A test compares each with the
    validated answer byte for byte; times are left as datetimes for the renderer to write."""
    content = api.renderer.render(None, data, response_status=status)
    return HttpResponse(content, status=status, content_type=api.get_content_type())


def _error(
    request: HttpRequest, code: ErrorCode, message: str, status: int, detail: Any = None
) -> HttpResponse:
    body = {"code": str(code), "message": message, "detail": detail or {}}
    return api.create_response(request, body, status=status)


@api.exception_handler(ParleyError)
def on_parley_error(request: HttpRequest, exc: ParleyError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return _error(
        request,
        ErrorCode.INVALID,
        _("The request is not valid."),
        422,
        {"errors": errors},
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, ErrorCode.NOT_AUTHENTICATED, _("Please log in first."), 401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = _("The request body could not be read.") if exc.status_code == 400 else exc.message
    return _error(request, ErrorCode.INVALID, str(message), exc.status_code)


def api_not_found(request: HttpRequest) -> HttpResponse:
    """Unknown API paths answer in JSON like every other API error."""
    return JsonResponse({"code": "not_found", "message": _("Not found."), "detail": {}}, status=404)


api.add_router("/auth", accounts_router)
api.add_router("/", marketplace_router)
api.add_router("/", attachments_router)
api.add_router("/", reviews_router)
api.add_router("/", workspace_router)
api.add_router("/", messaging_router)
api.add_router("/", notifications_router)
api.add_router("/", search_router)
api.add_router("/", disputes_router)
