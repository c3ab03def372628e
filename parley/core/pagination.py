"""Page numbers for server-rendered lists."""

from typing import Any

from django.core.paginator import Page, Paginator


def paginate(request: Any, queryset: Any, per_page: int = 20) -> Page:
    """Return the requested page; out-of-range or junk page numbers give the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
