"""The chat window ("Chat Now"): the same conversation as the Message Center, live.

Without JavaScript the window is a page whose form posts to the conversation page; with it,
``static/js/chat.js`` sends and receives over the chat socket.
"""

import uuid
from datetime import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parley.core.errors import NotFound, ParleyError
from parley.marketplace import selectors as marketplace

from . import chat_selectors, presence, selectors, services

HISTORY_PAGE = 50


@login_required
@require_POST
def chat_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Open (or find) the conversation with a store, about a product or an order, and go there."""
    try:
        store = marketplace.get_store(slug)
    except NotFound:
        raise Http404 from None
    product = order = None
    product_id = request.POST.get("product", "")
    if product_id.isdigit():
        product = marketplace.products_on_sale(store).filter(pk=int(product_id)).first()
    number = request.POST.get("order", "")
    if number and product is None:
        orders = marketplace.orders_for_buyer(request.user)
        order = orders.filter(number=number, store=store).first()
    try:
        conversation = services.conversation_open(
            actor=request.user, store=store, product=product, order=order
        )
    except ParleyError as refusal:
        flash.error(request, refusal.message)
        return redirect(store.get_absolute_url())
    return redirect("chat:window", conversation_id=conversation.pk)


@login_required
def chat_window(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        conversation = selectors.get_conversation_for(request.user, conversation_id)
    except NotFound:
        raise Http404 from None
    window = selectors.messages_in(conversation, limit=HISTORY_PAGE)
    if window.messages:
        services.conversation_mark_read(
            actor=request.user, conversation=conversation, up_to_seq=window.messages[-1].seq
        )
    as_store = request.user.pk != conversation.buyer_id
    marks = chat_selectors.read_marks(conversation)
    side = presence.side_presence(conversation, store_side=not as_store)
    return render(
        request,
        "messaging/chat.html",
        {
            "conversation": conversation,
            "window": window,
            "as_store": as_store,
            "last_seq": window.messages[-1].seq if window.messages else 0,
            "their_read": marks["buyer"] if as_store else marks["store"],
            "seller_name": chat_selectors.store_seller_name(conversation),
            "presence": side,
            "last_seen": datetime.fromisoformat(side["last_seen"]) if side["last_seen"] else None,
            "products": chat_selectors.discussed_products(conversation),
            "client_id": uuid.uuid4().hex,
        },
    )
