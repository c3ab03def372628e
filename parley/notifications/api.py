"""JSON API of notifications: list, unread count, mark read, e-mail preferences."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from parley.accounts.auth import api_auth
from parley.core.errors import NotFound
from parley.core.schemas import ErrorOut

from . import selectors, services
from .render import render_notification
from .schemas import (
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
    UnreadOut,
)

router = Router(tags=["notifications"])
ID_MAX = 2**63 - 1


class ListQuery(Schema):
    unread: bool = Field(default=False, description="Only unread ones")
    before: int | None = Field(default=None, ge=1, le=ID_MAX, description="Cursor")
    limit: int = Field(default=20, ge=1, le=100)


def _out(notification) -> NotificationOut:
    return NotificationOut(**vars(render_notification(notification)))


@router.get(
    "/notifications",
    auth=api_auth,
    response={200: NotificationPage, 401: ErrorOut, 422: ErrorOut},
    summary="My notifications, newest first",
)
def notification_list(request: HttpRequest, query: Query[ListQuery]) -> NotificationPage:
    qs = selectors.notifications_for(request.user, unread_only=query.unread)
    if query.before is not None:
        qs = qs.filter(pk__lt=query.before)
    rows = list(qs[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return NotificationPage(
        items=[_out(n) for n in rows], next_cursor=rows[-1].pk if more and rows else None
    )


@router.get(
    "/notifications/unread-count",
    auth=api_auth,
    response={200: UnreadOut, 401: ErrorOut},
    summary="The bell's number",
)
def notification_unread_count(request: HttpRequest) -> UnreadOut:
    return UnreadOut(unread=services.unread_count(request.user.pk))


@router.post(
    "/notifications/{notification_id}/read",
    auth=api_auth,
    response={200: NotificationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Mark one notification read",
)
def notification_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    if not 1 <= notification_id <= ID_MAX:
        raise NotFound()
    notification = services.notification_mark_read(
        actor=request.user, notification_id=notification_id
    )
    return _out(notification)


@router.post(
    "/notifications/read-all",
    auth=api_auth,
    response={200: ReadAllOut, 401: ErrorOut, 403: ErrorOut},
    summary="Mark all my notifications read",
)
def notifications_read_all(request: HttpRequest) -> ReadAllOut:
    marked = services.notifications_mark_all_read(actor=request.user)
    return ReadAllOut(marked=marked, unread=services.unread_count(request.user.pk))


@router.get(
    "/notifications/preferences",
    auth=api_auth,
    response={200: PreferencesOut, 401: ErrorOut},
    summary="Which kinds also come by e-mail",
)
def preferences_get(request: HttpRequest) -> PreferencesOut:
    return PreferencesOut(email=selectors.preferences_for(request.user))


@router.put(
    "/notifications/preferences",
    auth=api_auth,
    response={200: PreferencesOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Choose which kinds also come by e-mail",
)
def preferences_put(request: HttpRequest, body: PreferencesIn) -> PreferencesOut:
    return PreferencesOut(
        email=services.preferences_set(actor=request.user, email_kinds=body.email_kinds)
    )
