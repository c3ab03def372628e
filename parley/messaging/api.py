"""JSON API of the Message Center; the pages call the same services.

A conversation that is not the caller's answers 404, exactly like one that does not exist.
"""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from parley.accounts.auth import api_auth
from parley.accounts.models import User
from parley.attachments.services import attachments_owned
from parley.core.errors import Invalid, NotFound
from parley.core.schemas import ErrorOut
from parley.marketplace import selectors as marketplace
from parley.marketplace.selectors import is_store_member

from . import selectors, services
from .models import Conversation
from .payloads import message_api_payload, message_payload
from .schemas import (
    ConversationOpenIn,
    ConversationOut,
    ConversationPage,
    MessageIn,
    MessageOut,
    MessagePage,
    ReadIn,
    ReadOut,
)


def api_answer(data: Any, status: int = 200) -> HttpResponse:
    """``parley.api.rendered``: the answer written without validating it again."""
    from parley.api import rendered  # the API imports this module

    return rendered(data, status)


router = Router(tags=["messages"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ID_MAX = 2**31 - 1


class PageQuery(Schema):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=100)


class HistoryQuery(Schema):
    after: int | None = Field(default=None, ge=0, le=ID_MAX, description="Messages after this seq")
    before: int | None = Field(
        default=None, ge=1, le=ID_MAX, description="Messages before this seq"
    )
    limit: int = Field(default=50, ge=1, le=100)


def conversation_out(
    user: User, conversation: Conversation, store_urls: dict[int, str] | None = None
) -> ConversationOut:
    """``store_urls``: the store pages' addresses already found for a list, whose dialogs
    mostly share a store (a seller's page reversed the same address twenty times)."""
    product, order = conversation.product, conversation.order
    store_urls = {} if store_urls is None else store_urls
    if conversation.store_id not in store_urls:
        store_urls[conversation.store_id] = conversation.store.get_absolute_url()
    return ConversationOut(
        id=conversation.pk,
        store={
            "slug": conversation.store.slug,
            "name": conversation.store.name,
            "url": store_urls[conversation.store_id],
        },
        buyer={"id": conversation.buyer_id, "name": conversation.buyer.public_name},
        product={"id": product.pk, "title": product.title, "url": product.get_absolute_url()}
        if product
        else None,
        order={"number": order.number} if order else None,
        last_seq=conversation.last_seq,
        last_message_at=conversation.last_message_at,
        unread=conversation.unread
        if hasattr(conversation, "unread")
        else selectors.unread_in(user, conversation),
        read_seq=conversation.read_seq
        if hasattr(conversation, "read_seq")
        else selectors.last_read_seq(user, conversation),
    )


def _conversation(
    request: HttpRequest,
    conversation_id: int,
    related: tuple[str, ...] = selectors.CONVERSATION_RELATED,
) -> Conversation:
    if conversation_id > ID_MAX:
        raise NotFound()
    return selectors.get_conversation_for(request.auth, conversation_id, related=related)


@router.get("/conversations", response={200: ConversationPage, **READ_ERRORS}, auth=api_auth)
def conversations_list(request: HttpRequest, page: Query[PageQuery]):
    """The caller's dialogs (as buyer and as store member), newest first, with unread counts."""
    dialogs = selectors.dialogs_for(request.auth)
    items = dialogs.summaries(page.offset, page.offset + page.limit)
    store_urls: dict[int, str] = {}
    return ConversationPage(
        count=dialogs.count(),
        unread_total=dialogs.unread_total(),
        items=[conversation_out(request.auth, c, store_urls) for c in items],
    )


@router.post("/conversations", response={200: ConversationOut, **WRITE_ERRORS}, auth=api_auth)
def conversation_open(request: HttpRequest, data: ConversationOpenIn):
    """Open or find the conversation with a store, optionally about a product or an order.

    A store member passes `buyer` to write first to a buyer who has contacted the store or
    ordered from it; anybody else is refused (403).
    """
    store = marketplace.get_store(data.store)
    product = order = buyer = None
    if data.product is not None:
        product = marketplace.products_on_sale(store).filter(pk=data.product).first()
        if product is None:
            raise NotFound()
    if data.buyer is not None:
        buyer = User.objects.filter(pk=data.buyer).first()
        if buyer is None:
            if is_store_member(request.auth, store):
                raise services.buyer_not_reachable()
            raise NotFound()
    if data.order is not None:
        order = (
            marketplace.orders_for_buyer(buyer or request.auth)
            .filter(number=data.order, store=store)
            .first()
        )
        if order is None:
            raise NotFound()
    conversation = services.conversation_open(
        actor=request.auth, store=store, product=product, order=order, buyer=buyer
    )
    return conversation_out(
        request.auth, selectors.get_conversation_for(request.auth, conversation.pk)
    )


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationOut, **READ_ERRORS},
    auth=api_auth,
)
def conversation_get(request: HttpRequest, conversation_id: int):
    return conversation_out(request.auth, _conversation(request, conversation_id))


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: MessagePage, 400: ErrorOut, **READ_ERRORS},
    auth=api_auth,
)
def messages_list(request: HttpRequest, conversation_id: int, query: Query[HistoryQuery]):
    """A window of the history by `seq`: the latest messages, or `before`/`after` a number.

    Follow `before` for older pages and `after` for newer ones (both may be null).
    """
    conversation = _conversation(request, conversation_id, related=())
    if query.after is not None and query.before is not None:
        raise Invalid(_("Pass either “after” or “before”, not both."))
    window = selectors.message_rows_in(
        conversation, after=query.after, before=query.before, limit=query.limit
    )
    first = window.messages[0].seq if window.messages else None
    last = window.messages[-1].seq if window.messages else None
    page = {  # ``MessagePage``, field for field
        "items": [message_api_payload(m, m.photos) for m in window.messages],
        "has_before": window.has_before,
        "has_after": window.has_after,
        "before": first if window.has_before else None,
        "after": last if window.messages else query.after,
    }
    return api_answer(page)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={200: MessageOut, 201: MessageOut, 409: ErrorOut, **WRITE_ERRORS},
    auth=api_auth,
)
def message_send(
    request: HttpRequest,
    conversation_id: int,
    data: MessageIn,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=64)
    ] = None,
):
    """Send a message (text and/or photo ids from `POST /attachments`).

    With an `Idempotency-Key` header a retry returns the stored message (200) instead of a
    second copy (201); the same key with a different message is refused (409).
    """
    if conversation_id > ID_MAX:
        raise NotFound()
    product = order = None
    if data.product is not None or data.order is not None:
        # What the message is about must belong to this conversation's store (and buyer).
        conversation = _conversation(request, conversation_id, related=("store", "buyer"))
        if data.product is not None:
            product = (
                marketplace.products_on_sale(conversation.store).filter(pk=data.product).first()
            )
            if product is None:
                raise NotFound()
        if data.order is not None:
            order = (
                marketplace.orders_for_buyer(conversation.buyer)
                .filter(number=data.order, store=conversation.store)
                .first()
            )
            if order is None:
                raise NotFound()
    attachments = attachments_owned(request.auth, data.attachments)
    # ``message_send`` reads the conversation under its lock and checks the sender takes part.
    message, created = services.message_send(
        actor=request.auth,
        conversation=conversation_id,
        body=data.body,
        attachments=attachments,
        client_id=idempotency_key,
        product=product,
        order=order,
    )
    # A retry answers with the photos stored the first time, read back.
    payload = message_payload(message, attachments if created else None)
    return Status(201 if created else 200, payload)


@router.post(
    "/conversations/{conversation_id}/read",
    response={200: ReadOut, **WRITE_ERRORS},
    auth=api_auth,
)
def conversation_read(request: HttpRequest, conversation_id: int, data: ReadIn):
    """Mark the conversation read up to `up_to_seq` (never backwards)."""
    conversation = _conversation(request, conversation_id)
    seq = services.conversation_mark_read(
        actor=request.auth, conversation=conversation, up_to_seq=data.up_to_seq
    )
    return ReadOut(read_seq=seq, unread_total=selectors.unread_total_for(request.auth))
