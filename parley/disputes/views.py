"""Dispute pages: the form, the dispute page with its actions, the seller's list, the queue."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parley.attachments.views import attachment_download_view
from parley.core.clock import now
from parley.core.errors import NotFound, ParleyError
from parley.core.pagination import paginate
from parley.marketplace.selectors import get_order_for_buyer

from . import forms, selectors, services
from .models import Evidence
from .presenters import dispute_view
from .record import dispute_record_pdf
from .states import Action


@login_required
def dispute_open(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = get_order_for_buyer(request.user, number)
    except NotFound:
        raise Http404 from None
    verdict = selectors.dispute_eligibility(order, now())
    if verdict.dispute is not None:
        return redirect(verdict.dispute)
    form = forms.DisputeOpenForm(
        request.POST or None, request.FILES or None, messages=selectors.citable_messages(order)
    )
    if request.method == "POST" and verdict.allowed and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = services.dispute_open(
                actor=request.user,
                order_number=order.number,
                reason=data["reason"],
                description=data["description"],
                refund_amount=data["refund_amount"],
                return_item=data["resolution"] == "return_and_refund",
                evidence=_evidence(data),
            )
        except ParleyError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Your dispute was sent to the seller."))
            return redirect(dispute)
    return render(
        request,
        "disputes/open.html",
        {
            "order": order,
            "verdict": verdict,
            "form": form,
            "refundable": selectors.refundable_amount(order),
        },
    )


def _evidence(data: dict[str, Any]) -> services.EvidenceIn:
    return services.EvidenceIn(
        photos=data.get("photos") or [],
        videos=[data["video"]] if data.get("video") else [],
        message_ids=data.get("messages", []),
    )


def _form_kwargs(form_class: type, dispute: Any) -> dict[str, Any]:
    if issubclass(form_class, forms.EvidenceFields):
        return {"messages": selectors.citable_messages(dispute.order)}
    return {}


def _attach(form: Any, exc: ParleyError) -> None:
    field = exc.detail.get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


@login_required
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    try:
        dispute = selectors.get_dispute_for(request.user, dispute_id)
    except NotFound:
        raise Http404 from None
    view = dispute_view(request.user, dispute)
    context = {
        "view": view,
        "dispute": dispute,
        "order": dispute.order,
        "decision": getattr(dispute, "decision", None),
        "refunds": list(dispute.refunds.all()),
        "now": now(),
        "forms": {
            name: form_class(
                initial=_initial(name, view),
                auto_id=f"{name}-%s",
                **_form_kwargs(form_class, dispute),
            )
            for name, (form_class, _call) in ACTIONS.items()
            if name in view.actions
        },
    }
    return render(request, "disputes/detail.html", context)


def _initial(action: str, view: Any) -> dict[str, Any]:
    if action == Action.ACCEPT and view.acceptable is not None:
        return {"proposal_id": view.acceptable.pk}
    return {}


ACTIONS: dict[str, tuple[type, Callable[[HttpRequest, int, dict[str, Any]], object]]] = {
    Action.ACCEPT: (
        forms.AcceptForm,
        lambda r, pk, d: services.dispute_accept(actor=r.user, dispute_id=pk, **d),
    ),
    Action.COUNTER: (
        forms.OfferForm,
        lambda r, pk, d: services.dispute_counter(actor=r.user, dispute_id=pk, **d),
    ),
    Action.REJECT: (
        forms.RejectForm,
        lambda r, pk, d: services.dispute_reject(actor=r.user, dispute_id=pk, **d),
    ),
    Action.COMMENT: (
        forms.CommentForm,
        lambda r, pk, d: services.dispute_comment(
            actor=r.user, dispute_id=pk, text=d["text"], evidence=_evidence(d)
        ),
    ),
    Action.WITHDRAW: (
        forms.ConfirmForm,
        lambda r, pk, d: services.dispute_withdraw(actor=r.user, dispute_id=pk),
    ),
    Action.ESCALATE: (
        forms.EscalateForm,
        lambda r, pk, d: services.dispute_escalate(actor=r.user, dispute_id=pk, **d),
    ),
    Action.SHIP_RETURN: (
        forms.ReturnShipmentForm,
        lambda r, pk, d: services.dispute_ship_return(actor=r.user, dispute_id=pk, **d),
    ),
    Action.CONFIRM_RECEIPT: (
        forms.ConfirmForm,
        lambda r, pk, d: services.dispute_confirm_receipt(actor=r.user, dispute_id=pk),
    ),
    Action.REQUEST_INFO: (
        forms.InfoRequestForm,
        lambda r, pk, d: services.dispute_request_info(actor=r.user, dispute_id=pk, **d),
    ),
    Action.PROVIDE_INFO: (
        forms.ProvideInfoForm,
        lambda r, pk, d: services.dispute_provide_info(actor=r.user, dispute_id=pk, **d),
    ),
    Action.DECIDE: (
        forms.DecisionForm,
        lambda r, pk, d: services.dispute_decide(actor=r.user, dispute_id=pk, **d),
    ),
}

SUCCESS = {  # lazy: shown in the reader's language at request time
    Action.ACCEPT: gettext_lazy("You accepted the offer."),
    Action.COUNTER: gettext_lazy("Your offer was sent."),
    Action.REJECT: gettext_lazy("You rejected the buyer's proposal."),
    Action.COMMENT: gettext_lazy("Your comment was added."),
    Action.WITHDRAW: gettext_lazy("You withdrew the dispute."),
    Action.ESCALATE: gettext_lazy("The dispute was sent to an arbitrator."),
    Action.SHIP_RETURN: gettext_lazy("The return's tracking number was recorded."),
    Action.CONFIRM_RECEIPT: gettext_lazy(
        "You confirmed the returned item; the refund was recorded."
    ),
    Action.REQUEST_INFO: gettext_lazy("Your question was sent."),
    Action.PROVIDE_INFO: gettext_lazy("Your answer was sent to the arbitrator."),
    Action.DECIDE: gettext_lazy("The decision was recorded."),
}


@login_required
@require_POST
def dispute_act(request: HttpRequest, dispute_id: int, action: str) -> HttpResponse:
    """Every action button posts here; the same services as the API decide."""
    try:
        dispute = selectors.get_dispute_for(request.user, dispute_id)
    except NotFound:
        raise Http404 from None
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, request.FILES, **_form_kwargs(form_class, dispute))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(dispute)
    try:
        call(request, dispute.pk, form.cleaned_data)
    except ParleyError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(SUCCESS[action]))
    return redirect(dispute)


@login_required
def dispute_record(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The printable record as a PDF, for the same readers as the dispute page."""
    try:
        dispute = selectors.get_dispute_for(request.user, dispute_id)
    except NotFound:
        raise Http404 from None
    pdf = dispute_record_pdf(dispute_view(request.user, dispute))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="dispute-{dispute.pk}.pdf"'
    return response


@login_required
def seller_disputes(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.disputes_waiting_for_store(request.user))
    return render(request, "disputes/seller_list.html", {"page": page})


@login_required
def buyer_disputes(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.disputes_for_buyer(request.user))
    return render(request, "disputes/buyer_list.html", {"page": page})


@login_required
def arbitration_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_arbitrator:
        raise Http404
    page = paginate(request, selectors.arbitration_queue(request.user))
    return render(request, "disputes/queue.html", {"page": page})


def _can_read_evidence(user: Any, attachment: Any) -> bool:
    """Evidence photos and videos are for the dispute's buyer, its store and arbitrators only."""
    return Evidence.objects.filter(
        attachment=attachment, dispute__in=selectors.visible_disputes(user)
    ).exists()


evidence_photo = attachment_download_view(_can_read_evidence)
