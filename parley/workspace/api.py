"""The seller's workspace over JSON: the stores one works in, their settings."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from parley.accounts.auth import api_auth
from parley.core.schemas import ErrorOut
from parley.marketplace import services as store_services
from parley.marketplace.api import store_contacts_out
from parley.marketplace.models import Store
from parley.marketplace.selectors import get_store_for_member

from . import selectors
from .schemas import AwayIn, ContactsIn, DeskOut, StoreSettingsOut

router = Router(tags=["workspace"])


def settings_out(store: Store) -> StoreSettingsOut:
    public = store_contacts_out(store)
    return StoreSettingsOut(
        **public.model_dump(exclude={"away"}),
        away=public.away,
        away_message=store.away_message,
        away_until=store.away_until,
    )


@router.get("/workspace/stores", response={200: list[DeskOut], 401: ErrorOut}, auth=api_auth)
def desks(request: HttpRequest):
    """The stores the caller works in, with what waits for an answer in each."""
    return [
        DeskOut(
            slug=desk.store.slug,
            name=desk.store.name,
            is_owner=desk.is_owner,
            unanswered_reviews=desk.unanswered_reviews,
            unanswered_questions=desk.unanswered_questions,
            unread_messages=desk.unread_messages,
            url=reverse("workspace:desk", args=[desk.store.slug]),
        )
        for desk in selectors.desks_for(request.auth)
    ]


@router.get(
    "/workspace/stores/{slug}/settings",
    response={200: StoreSettingsOut, 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def store_settings(request: HttpRequest, slug: str):
    """The store's contacts and away notice, for any of its members."""
    return settings_out(get_store_for_member(request.auth, slug))


@router.put(
    "/workspace/stores/{slug}/contacts",
    response={200: StoreSettingsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def contacts_update(request: HttpRequest, slug: str, body: ContactsIn):
    """Replace the store's contacts; only its owner (staff get 403)."""
    store = store_services.store_contacts_update(
        actor=request.auth, store=get_store_for_member(request.auth, slug), **body.model_dump()
    )
    return settings_out(store)


@router.put(
    "/workspace/stores/{slug}/away",
    response={200: StoreSettingsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def away_update(request: HttpRequest, slug: str, body: AwayIn):
    """Set the away notice (text and return date) or clear it with both empty; owner only."""
    store = store_services.store_away_notice_set(
        actor=request.auth,
        store=get_store_for_member(request.auth, slug),
        message=body.message,
        until=body.until,
    )
    return settings_out(store)
