"""Page numbers for pages and bounded limits for the API."""

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request: Any, queryset: Any, per_page: int = 20) -> Page:
    """Return the requested page; out-of-range or junk page numbers give the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def clamp_limit(limit: int | None, default: int = 20) -> int:
    if limit is None:
        return default
    return max(1, min(limit, settings.API_PAGE_SIZE_MAX))
