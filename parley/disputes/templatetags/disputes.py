"""The «Open Dispute» button for order rows and the order page, with the reason when disabled."""

from django import template

from parley.core.clock import now
from parley.disputes.selectors import dispute_eligibility, store_dispute_counts
from parley.marketplace.models import Order, Store

register = template.Library()


@register.inclusion_tag("disputes/includes/store_card.html")
def store_disputes_card(store: Store) -> dict:
    """The seller workspace's card: the store's open disputes and how many wait for it."""
    return {"counts": store_dispute_counts(store)}


@register.inclusion_tag("disputes/includes/dispute_button.html")
def open_dispute_button(order: Order) -> dict:
    return {"order": order, "verdict": dispute_eligibility(order, now())}
