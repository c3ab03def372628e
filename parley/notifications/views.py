"""The notifications page, marking read, e-mail preferences and the unsubscribe link; they
call the same services as the API."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parley.accounts.models import User
from parley.core.errors import NotFound
from parley.core.pagination import paginate

from . import selectors, services
from .forms import PreferencesForm
from .kinds import KINDS
from .models import Notification
from .render import render_notification, unsubscribe_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, selectors.notifications_for(request.user, unread_only=unread_only))
    items = [render_notification(n) for n in page.object_list]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": items, "unread_only": unread_only},
    )


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    notification = _mark_read(request, notification_id)
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        raise Http404
    return redirect(notification.link)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    _mark_read(request, notification_id)
    return redirect(_back(request))


def _mark_read(request: HttpRequest, notification_id: int) -> Notification:
    try:
        return services.notification_mark_read(actor=request.user, notification_id=notification_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request.user)
    flash.success(request, _("All notifications are marked as read."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications:list"


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_set(
                actor=request.user, email_kinds=form.cleaned_data["email_kinds"]
            )
            flash.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_kinds": [k for k, on in current.items() if on]})
    return render(request, "notifications/preferences.html", {"form": form})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One kind's e-mails off, from the e-mail's own link; no login needed, the link is signed.

    GET only asks, so a mail scanner following links changes nothing."""
    found = unsubscribe_read(token)
    user = User.objects.filter(pk=found[0]).first() if found else None
    if user is None:
        raise Http404
    kind = found[1]
    done = False
    if request.method == "POST":
        services.email_unsubscribe(user=user, kind=kind)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": KINDS[kind].label, "done": done, "token": token},
    )
