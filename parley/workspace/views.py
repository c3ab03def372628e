"""The seller's workspace: one desk per store, for its members only (404 to anybody else)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parley.core.errors import NotFound, ParleyError
from parley.core.pagination import paginate
from parley.marketplace import services as store_services
from parley.reviews import rules as review_rules
from parley.reviews.forms import ReplyForm
from parley.reviews.selectors import FeedShow, store_feed

from . import selectors
from .forms import AwayForm, ContactsForm, FeedFilterForm
from .selectors import Desk


def _desk_or_404(request: HttpRequest, slug: str) -> Desk:
    try:
        return selectors.get_desk_for(request.user, slug)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    desks = selectors.desks_for(request.user)
    if not desks:
        raise Http404
    if len(desks) == 1:
        return redirect("workspace:desk", desks[0].store.slug)
    return render(request, "workspace/index.html", {"desks": desks})


@login_required
@require_GET
def desk(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "workspace/desk.html", {"desk": _desk_or_404(request, slug)})


@login_required
@require_GET
def reviews_feed(request: HttpRequest, slug: str) -> HttpResponse:
    desk = _desk_or_404(request, slug)
    filters = FeedFilterForm(request.GET or None)
    show, rating = FeedShow.UNANSWERED, None
    if filters.is_valid():
        show = FeedShow(filters.cleaned_data["show"] or FeedShow.UNANSWERED)
        rating = filters.cleaned_data["rating"]
    else:  # junk in the address shows the default feed rather than an error
        filters = FeedFilterForm()
    page = paginate(
        request, store_feed(desk.store, show=show, rating=rating), review_rules.FEED_PER_PAGE
    )
    context = {
        "desk": desk,
        "page": page,
        "filters": filters,
        "show": show,
        "reply_form": ReplyForm(),
        "next": request.get_full_path(),
    }
    return render(request, "workspace/reviews_feed.html", context)


def _settings_page(
    request: HttpRequest,
    desk: Desk,
    contacts: ContactsForm | None = None,
    away: AwayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    store = desk.store
    contacts = contacts or ContactsForm(
        initial={
            "contact_email": store.contact_email,
            "contact_phone": store.contact_phone,
            "address": store.address,
            "working_hours": store.working_hours,
            "messengers": store.messengers,
        }
    )
    away = away or AwayForm(
        initial={"away_message": store.away_message, "away_until": store.away_until}
    )
    if not desk.is_owner:
        for form in (contacts, away):
            for field in form.fields.values():
                field.disabled = True
    context = {"desk": desk, "contacts": contacts, "away": away}
    return render(request, "workspace/settings.html", context, status=status)


@login_required
@require_GET
def store_settings(request: HttpRequest, slug: str) -> HttpResponse:
    return _settings_page(request, _desk_or_404(request, slug))


def _apply(form: ContactsForm | AwayForm, error: ParleyError) -> int:
    field = error.detail.get("field")
    form.add_error(field if field in form.fields else None, str(error.message))
    return error.status


@login_required
@require_POST
def contacts_save(request: HttpRequest, slug: str) -> HttpResponse:
    desk = _desk_or_404(request, slug)
    form = ContactsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, desk, contacts=form, status=400)
    try:
        store_services.store_contacts_update(
            actor=request.user, store=desk.store, **form.cleaned_data
        )
    except ParleyError as error:
        return _settings_page(request, desk, contacts=form, status=_apply(form, error))
    messages.success(request, _("The store's contacts are saved."))
    return redirect(reverse("workspace:settings", args=[slug]))


@login_required
@require_POST
def away_save(request: HttpRequest, slug: str) -> HttpResponse:
    desk = _desk_or_404(request, slug)
    form = AwayForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, desk, away=form, status=400)
    try:
        store_services.store_away_notice_set(
            actor=request.user,
            store=desk.store,
            message=form.cleaned_data["away_message"],
            until=form.cleaned_data["away_until"],
        )
    except ParleyError as error:
        return _settings_page(request, desk, away=form, status=_apply(form, error))
    messages.success(request, _("The away notice is saved."))
    return redirect(reverse("workspace:settings", args=[slug]))
