"""The search page of the Message Center; the API calls the same selector."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import SearchForm
from .selectors import filter_choices, search_messages


@login_required
def message_search(request: HttpRequest) -> HttpResponse:
    stores, buyers = filter_choices(request.user)
    form = SearchForm(request.GET or None, stores=stores, buyers=buyers)
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        before = request.GET.get("before", "")
        page = search_messages(
            request.user,
            form.cleaned_data["q"],
            form.filters(),
            before=int(before) if before.isdigit() and len(before) < 19 else None,
        )
    params = request.GET.copy()
    params.pop("before", None)
    return render(
        request,
        "search/search.html",
        {"form": form, "page": page, "params": params.urlencode()},
    )
