"""JSON endpoints for every dispute action; each calls the same service as the page."""

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from parley.accounts.auth import api_auth
from parley.core.clock import now
from parley.core.schemas import ErrorOut
from parley.marketplace.selectors import get_order_for_buyer

from . import selectors, services
from .models import Dispute, Evidence
from .presenters import dispute_view
from .schemas import (
    AcceptIn,
    CommentIn,
    DecisionIn,
    DisputeOpenIn,
    DisputeOut,
    DisputePage,
    DisputeRef,
    EligibilityOut,
    InfoRequestIn,
    OfferIn,
    OfferOut,
    OptionalTextIn,
    OrderRef,
    RejectIn,
    ReturnShipmentIn,
    TextIn,
)

router = Router(tags=["disputes"], auth=api_auth)

READ = {401: ErrorOut, 404: ErrorOut}
# 400 a rule refused the input, 403 your side may not, 409 the state moved on (a lost race).
WRITE = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class DisputeListQuery(Schema):
    side: Literal["buyer", "seller"] = "buyer"
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=100)


class QueueQuery(Schema):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=100)


def summary_out(dispute: Dispute) -> dict:
    return {
        "id": dispute.pk,
        "order": dispute.order.number,
        "store": dispute.order.store.slug,
        "state": dispute.state,
        "state_label": dispute.state_label,
        "reason": dispute.reason,
        "opened_at": dispute.opened_at,
        "deadline_at": dispute.deadline_at,
        "escalated_at": dispute.escalated_at,
        "url": dispute.get_absolute_url(),
    }


def dispute_out(request: HttpRequest, dispute: Dispute) -> dict:
    view = dispute_view(request.auth, dispute)
    decision = getattr(dispute, "decision", None)
    return {
        **summary_out(dispute),
        "description": dispute.description,
        "closed_at": dispute.closed_at,
        "your_role": view.role,
        "actions": view.actions,
        "next_step": {
            "who": view.next.who,
            "by": view.next.by,
            "what": view.next.what,
            "otherwise": view.next.otherwise,
        },
        "offers": [offer_out(p) for p in view.offers],
        "timeline": [
            {
                "at": e.at,
                "role": e.role,
                "author": e.author.public_name if e.author else None,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "text": e.text,
                "proposal_id": e.proposal_id,
                "data": e.data,
                "evidence": [evidence_out(x) for x in e.evidence.all()],
            }
            for e in view.timeline
        ],
        "refunds": list(dispute.refunds.values("id", "amount", "currency", "cause", "created_at")),
        "decision": None
        if decision is None
        else {
            "outcome": decision.outcome,
            "refund_amount": decision.refund_amount,
            "currency": decision.currency,
            "reason": decision.reason,
            "decided_at": decision.decided_at,
        },
    }


def evidence_out(item: Evidence) -> dict:
    photo, message = item.attachment, item.message
    return {
        "kind": item.kind,
        "attachment_id": photo.pk if photo else None,
        "sha256": photo.sha256 if photo else None,
        "received_at": photo.received_at if photo else None,
        "url": reverse("disputes:evidence", args=[photo.pk]) if photo else None,
        "message_id": item.message_id,
        "message_sent_at": item.message_sent_at,
        "message_author": item.message_author.public_name if message else None,
        "message_text": message.body if message else None,
        "message_text_sha256": item.message_text_sha256 or None,
        "message_unchanged": item.message_unchanged if message else None,
    }


def offer_out(p) -> dict:
    return {
        "id": p.pk,
        "by": p.author_role,
        "author": p.author.public_name,
        "refund_amount": p.refund_amount,
        "currency": p.currency,
        "return_item": p.return_item,
        "return_shipping_paid_by": p.return_shipping_paid_by,
        "note": p.note,
        "status": p.status,
        "created_at": p.created_at,
    }


def _fresh(request: HttpRequest, dispute_id: int) -> dict:
    return dispute_out(request, selectors.get_dispute_for(request.auth, dispute_id))


@router.get("/orders/{number}/dispute-eligibility", response={200: EligibilityOut, **READ})
def eligibility(request: HttpRequest, path: Path[OrderRef]):
    """Whether the caller may open a dispute on their order now; if not, why and the date."""
    order = get_order_for_buyer(request.auth, path.number)
    verdict = selectors.dispute_eligibility(order, now())
    return {
        "allowed": verdict.allowed,
        "code": verdict.code,
        "message": verdict.message,
        "date": verdict.date,
        "dispute_id": verdict.dispute.pk if verdict.dispute else None,
    }


@router.post("/disputes", response={201: DisputeOut, **WRITE})
def dispute_open(request: HttpRequest, body: DisputeOpenIn):
    """Open a dispute on the caller's order with their proposal; it goes to the seller."""
    dispute = services.dispute_open(
        actor=request.auth,
        order_number=body.order,
        reason=body.reason,
        description=body.description,
        refund_amount=Decimal(body.refund_amount),
        return_item=body.resolution == "return_and_refund",
        evidence=services.EvidenceIn(
            attachment_ids=body.attachment_ids, message_ids=body.message_ids
        ),
    )
    return Status(201, _fresh(request, dispute.pk))


@router.get("/disputes", response={200: DisputePage, 401: ErrorOut})
def disputes_list(request: HttpRequest, query: Query[DisputeListQuery]):
    """The caller's disputes as a buyer, or those of their stores (``side=seller``)."""
    if query.side == "seller":
        qs = selectors.disputes_waiting_for_store(request.auth)
    else:
        qs = selectors.disputes_for_buyer(request.auth)
    items = qs[query.offset : query.offset + query.limit]
    return {"count": qs.count(), "items": [summary_out(d) for d in items]}


@router.get("/arbitration/queue", response={200: DisputePage, 401: ErrorOut})
def arbitration_queue(request: HttpRequest, query: Query[QueueQuery]):
    """Escalated disputes, the longest waiting first (arbitrators only; empty for others)."""
    qs = selectors.arbitration_queue(request.auth)
    items = qs[query.offset : query.offset + query.limit]
    return {"count": qs.count(), "items": [summary_out(d) for d in items]}


@router.get("/disputes/{dispute_id}", response={200: DisputeOut, **READ})
def dispute_get(request: HttpRequest, path: Path[DisputeRef]):
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/accept", response={200: DisputeOut, **WRITE})
def dispute_accept(request: HttpRequest, path: Path[DisputeRef], body: AcceptIn):
    """Accept the other side's latest offer (its id, so an offer changed meanwhile is a 409)."""
    services.dispute_accept(
        actor=request.auth, dispute_id=path.dispute_id, proposal_id=body.proposal_id
    )
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/offers", response={201: OfferOut, **WRITE})
def dispute_counter(request: HttpRequest, path: Path[DisputeRef], body: OfferIn):
    proposal = services.dispute_counter(
        actor=request.auth,
        dispute_id=path.dispute_id,
        refund_amount=Decimal(body.refund_amount),
        return_item=body.return_item,
        return_shipping_paid_by=body.return_shipping_paid_by,
        note=body.note,
    )
    return Status(201, offer_out(proposal))


@router.post("/disputes/{dispute_id}/reject", response={200: DisputeOut, **WRITE})
def dispute_reject(request: HttpRequest, path: Path[DisputeRef], body: RejectIn):
    services.dispute_reject(actor=request.auth, dispute_id=path.dispute_id, reason=body.reason)
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/comments", response={200: DisputeOut, **WRITE})
def dispute_comment(request: HttpRequest, path: Path[DisputeRef], body: CommentIn):
    """Add a comment with optional evidence: your uploaded photos, cited chat messages."""
    services.dispute_comment(
        actor=request.auth,
        dispute_id=path.dispute_id,
        text=body.text,
        evidence=services.EvidenceIn(
            attachment_ids=body.attachment_ids, message_ids=body.message_ids
        ),
    )
    return _fresh(request, path.dispute_id)


@router.post(
    "/disputes/{dispute_id}/videos",
    response={200: DisputeOut, **WRITE, 413: ErrorOut, 415: ErrorOut},
)
def dispute_video(
    request: HttpRequest,
    path: Path[DisputeRef],
    file: File[UploadedFile],
    text: Form[str] = "",
):
    """Add a video as evidence (multipart field `file`, MP4 or WebM, optional `text`).

    It is judged by its content, refused if too large (413), not a video (415), too long or
    unreadable (400), and stored without its metadata, with its SHA-256.
    """
    services.dispute_comment(
        actor=request.auth,
        dispute_id=path.dispute_id,
        text=text,
        evidence=services.EvidenceIn(videos=[file]),
    )
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/withdraw", response={200: DisputeOut, **WRITE})
def dispute_withdraw(request: HttpRequest, path: Path[DisputeRef]):
    services.dispute_withdraw(actor=request.auth, dispute_id=path.dispute_id)
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/escalate", response={200: DisputeOut, **WRITE})
def dispute_escalate(request: HttpRequest, path: Path[DisputeRef], body: OptionalTextIn):
    services.dispute_escalate(actor=request.auth, dispute_id=path.dispute_id, text=body.text)
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/return-shipment", response={200: DisputeOut, **WRITE})
def dispute_ship_return(request: HttpRequest, path: Path[DisputeRef], body: ReturnShipmentIn):
    services.dispute_ship_return(
        actor=request.auth, dispute_id=path.dispute_id, tracking_number=body.tracking_number
    )
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/confirm-receipt", response={200: DisputeOut, **WRITE})
def dispute_confirm_receipt(request: HttpRequest, path: Path[DisputeRef]):
    services.dispute_confirm_receipt(actor=request.auth, dispute_id=path.dispute_id)
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/info-requests", response={200: DisputeOut, **WRITE})
def dispute_request_info(request: HttpRequest, path: Path[DisputeRef], body: InfoRequestIn):
    services.dispute_request_info(
        actor=request.auth, dispute_id=path.dispute_id, party=body.party, question=body.question
    )
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/info", response={200: DisputeOut, **WRITE})
def dispute_provide_info(request: HttpRequest, path: Path[DisputeRef], body: TextIn):
    services.dispute_provide_info(actor=request.auth, dispute_id=path.dispute_id, text=body.text)
    return _fresh(request, path.dispute_id)


@router.post("/disputes/{dispute_id}/decision", response={200: DisputeOut, **WRITE})
def dispute_decide(request: HttpRequest, path: Path[DisputeRef], body: DecisionIn):
    """The arbitrator's final decision, with a reason both sides see; closes the dispute."""
    services.dispute_decide(
        actor=request.auth,
        dispute_id=path.dispute_id,
        outcome=body.outcome,
        refund_amount=Decimal(body.refund_amount),
        reason=body.reason,
    )
    return _fresh(request, path.dispute_id)
