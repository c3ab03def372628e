from typing import Any

from django import template

from parley.marketplace.models import Order, Product, Store
from parley.marketplace.selectors import is_store_member

from ..selectors import store_reply_stats

register = template.Library()


@register.inclusion_tag("messaging/includes/contact_button.html", takes_context=True)
def contact_button(
    context: dict[str, Any],
    store: Store,
    product: Product | None = None,
    order: Order | None = None,
    small: bool = False,
) -> dict[str, Any]:
    """Contact Now (envelope): a link to the contact page that scripts turn into a dialog.

    Hidden from the store's own members, who cannot write to their own store."""
    user = context["request"].user
    return {
        "store": store,
        "product": product,
        "order": order,
        "small": small,
        "hidden": is_store_member(user, store),
    }


@register.inclusion_tag("messaging/includes/reply_time.html")
def store_reply_time(store: Store) -> dict[str, Any]:
    return {"stats": store_reply_stats(store)}
