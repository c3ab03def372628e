"""Review pages: write and edit a review, answer one for the store."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parley.core.errors import NotFound, ParleyError
from parley.marketplace.selectors import get_product

from . import selectors, services
from .forms import ReplyForm, ReviewCreateForm, ReviewForm


def _form_error(form: ReviewForm | ReplyForm, error: ParleyError) -> None:
    """Show a service's refusal beside the field it is about, or above the form."""
    field = error.detail.get("field")
    form.add_error(field if field in form.fields else None, str(error.message))


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        product = get_product(product_id)
    except NotFound:
        raise Http404 from None
    form = ReviewCreateForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review_create(
                    uploads=form.cleaned_data["photos"],
                    actor=request.user,
                    product=product,
                    order_number=form.cleaned_data["order_number"],
                    rating=form.cleaned_data["rating"],
                    text=form.cleaned_data["text"],
                    is_question=form.cleaned_data["is_question"],
                )
            except NotFound:
                raise Http404 from None
            except ParleyError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Thank you! Your review is published."))
                return redirect(f"{product.get_absolute_url()}#reviews")
        status = 400
    eligibility = selectors.review_eligibility(request.user, product)
    context = {"product": product, "form": form, "eligibility": eligibility}
    return render(request, "reviews/review_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        review = selectors.get_review_for_author(request.user, review_id)
    except NotFound:
        raise Http404 from None
    initial = {"rating": review.rating, "text": review.text, "is_question": review.is_question}
    form = ReviewForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review_update(
                    actor=request.user,
                    review=review,
                    rating=form.cleaned_data["rating"],
                    text=form.cleaned_data["text"],
                    is_question=form.cleaned_data["is_question"],
                )
            except ParleyError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Your review is updated."))
                return redirect(f"{review.product.get_absolute_url()}#review-{review.pk}")
        status = 400
    context = {
        "review": review,
        "product": review.product,
        "form": form,
        "editable": selectors.review_is_editable(review),
        "closes_at": selectors.review_edit_closes_at(review),
    }
    return render(request, "reviews/review_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    """Write the store's reply, or edit it when there is one."""
    try:
        review = selectors.get_review_for_member(request.user, review_id)
    except NotFound:
        raise Http404 from None
    reply = getattr(review, "reply", None)
    form = ReplyForm(request.POST or None, initial={"text": reply.text if reply else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                if reply is None:
                    services.seller_reply_create(actor=request.user, review=review, text=text)
                else:
                    services.seller_reply_update(actor=request.user, review=review, text=text)
            except ParleyError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The reply is published under the review."))
                fallback = f"{review.product.get_absolute_url()}#review-{review.pk}"
                return redirect(_next_url(request, fallback))
        status = 400
    context = {
        "review": review,
        "reply": reply,
        "form": form,
        "editable": reply is None or selectors.reply_is_editable(reply),
        "next": _next_url(request, ""),
    }
    return render(request, "reviews/reply_form.html", context, status=status)
