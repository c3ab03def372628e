"""Message Center and Contact Now pages; they call the same services as the API."""

import uuid

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parley.attachments.services import (
    attachment_files_delete,
    attachments_create_from_uploads,
)
from parley.core.errors import NotFound, ParleyError
from parley.core.pagination import paginate
from parley.marketplace import selectors as marketplace
from parley.marketplace.models import Order, Product, Store

from . import chat_selectors, selectors, services
from .models import Conversation

HISTORY_PAGE = 50
NUMBER_MAX = 2**31 - 1


def _number(value: str) -> int | None:
    """A positive whole number from a query or form field, or None for anything else."""
    if value.isdigit() and 0 < int(value) <= NUMBER_MAX:
        return int(value)
    return None


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
def message_center(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.dialogs_for(request.user), per_page=20)
    last = selectors.last_messages(list(page.object_list))
    rows = [(c, last.get(c.pk)) for c in page.object_list]
    return render(request, "messaging/center.html", {"page": page, "rows": rows})


def _context_from(
    request: HttpRequest, store: Store, source: QueryDict
) -> tuple[Product | None, Order | None]:
    """The product or order a message is about, from the form or the link; others are ignored."""
    product = order = None
    product_id = _number(source.get("product", ""))
    if product_id is not None:
        product = marketplace.products_on_sale(store).filter(pk=product_id).first()
    number = source.get("order", "")
    if number and product is None:
        order = (
            marketplace.orders_for_buyer(request.user).filter(number=number, store=store).first()
        )
    return product, order


def _send(request: HttpRequest, conversation: Conversation | None, store: Store) -> Conversation:
    """Open (if needed) and send in one transaction: a refused message leaves nothing behind.

    A form submitted twice (same hidden key) is recognised before its photos are stored again.
    """
    key = request.POST.get("client_id") or None
    known = conversation or selectors.conversation_between(request.user, store)
    if key and known and selectors.message_by_client_id(known, request.user, key[:64]):
        return known
    product, order = _context_from(request, store, request.POST)
    photos = []
    try:
        with transaction.atomic():
            if conversation is None:
                conversation = services.conversation_open(
                    actor=request.user, store=store, product=product, order=order
                )
            photos = attachments_create_from_uploads(
                owner=request.user, uploads=request.FILES.getlist("photos")
            )
            services.message_send(
                actor=request.user,
                conversation=conversation,
                body=request.POST.get("body", ""),
                attachments=photos,
                client_id=key,
                product=product,
                order=order,
            )
    except BaseException:
        attachment_files_delete(photos)
        raise
    return conversation


@login_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    """Contact Now as a page: the same form the dialog shows, for browsers without scripts."""
    try:
        store = marketplace.get_store(slug)
    except NotFound:
        raise Http404 from None
    error = None
    if request.method == "POST":
        try:
            conversation = _send(request, None, store)
        except ParleyError as refusal:
            if _wants_json(request):
                return JsonResponse(refusal.as_dict(), status=refusal.status)
            error = refusal.message
        else:
            url = reverse("messaging:conversation", args=[conversation.pk])
            if _wants_json(request):
                return JsonResponse({"conversation_url": url}, status=201)
            flash.success(request, _("Your message has been sent."))
            return redirect(url)
    product, order = _context_from(request, store, request.POST or request.GET)
    return render(
        request,
        "messaging/contact.html",
        {
            "store": store,
            "product": product,
            "order": order,
            "error": error,
            "body": request.POST.get("body", ""),
            "client_id": uuid.uuid4().hex,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        conversation = selectors.get_conversation_for(request.user, conversation_id)
    except NotFound:
        raise Http404 from None
    error = None
    if request.method == "POST":
        try:
            _send(request, conversation, conversation.store)
        except ParleyError as refusal:
            error = refusal.message
        else:
            return redirect(f"{request.path}#m-{conversation.last_seq}")
    window = selectors.messages_in(
        conversation, before=_number(request.GET.get("before", "")), limit=HISTORY_PAGE
    )
    if window.messages:
        services.conversation_mark_read(
            actor=request.user, conversation=conversation, up_to_seq=window.messages[-1].seq
        )
    as_store = request.user.pk != conversation.buyer_id
    marks = chat_selectors.read_marks(conversation)
    return render(
        request,
        "messaging/conversation.html",
        {
            "conversation": conversation,
            "window": window,
            "as_store": as_store,
            # Only the newest window follows the chat socket: live messages belong at its end.
            "live": not window.has_after,
            "last_seq": window.messages[-1].seq if window.messages else 0,
            "their_read": marks["buyer"] if as_store else marks["store"],
            "error": error,
            "body": request.POST.get("body", "") if error else "",
            "client_id": uuid.uuid4().hex,
        },
        status=400 if error else 200,
    )
