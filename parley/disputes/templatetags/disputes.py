"""The «Open Dispute» button for order rows and the order page, with the reason when disabled."""

from django import template

from parley.core.clock import now
from parley.disputes.selectors import dispute_eligibility
from parley.marketplace.models import Order

register = template.Library()


@register.inclusion_tag("disputes/includes/dispute_button.html")
def open_dispute_button(order: Order) -> dict:
    return {"order": order, "verdict": dispute_eligibility(order, now())}
