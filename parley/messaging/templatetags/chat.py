from typing import Any

from django import template

from parley.marketplace.models import Order, Product, Store
from parley.marketplace.selectors import is_store_member

register = template.Library()


@register.inclusion_tag("messaging/includes/chat_button.html", takes_context=True)
def chat_button(
    context: dict[str, Any],
    store: Store,
    product: Product | None = None,
    order: Order | None = None,
    small: bool = False,
) -> dict[str, Any]:
    """Chat Now: a small form that opens the conversation and shows the chat window.

    Hidden from the store's own members; an anonymous visitor gets a link to log in first."""
    request = context["request"]
    return {
        "store": store,
        "product": product,
        "order": order,
        "small": small,
        "user": request.user,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "hidden": is_store_member(request.user, store),
    }
