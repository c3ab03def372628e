"""The header link to the seller's workspace, shown only to store members."""

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("workspace/includes/nav_link.html", takes_context=True)
def workspace_link(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    show, waiting = selectors.header_counts(user) if user.is_authenticated else (False, 0)
    return {"show": show, "waiting": waiting}
