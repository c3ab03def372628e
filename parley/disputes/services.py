"""Every change to a dispute: lock its row, check the transition table and the actor's side,
write the new state and its timeline entry in one transaction, then tell others after commit.

Two racing actions serialize on the row lock; the loser finds the state moved on and gets a
CONFLICT (409), never a half-written dispute.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parley.accounts.models import User
from parley.attachments.models import Attachment
from parley.attachments.services import (
    attachment_files_delete,
    attachments_check_count,
    attachments_create_from_uploads,
)
from parley.attachments.videos import attachment_create_video_from_upload
from parley.core.clock import now
from parley.core.errors import ErrorCode, Invalid, NotFound, ParleyError
from parley.marketplace.models import Order, StoreMembership
from parley.marketplace.selectors import get_order_for_buyer
from parley.messaging.models import Message
from parley.messaging.selectors import conversation_between
from parley.notifications.deadlines import (
    deadline_warning_moments,
    deadline_warning_send,
    deadline_warnings_due,
)
from parley.notifications.services import notify
from parley.webhooks.services import webhook_event

from . import selectors
from .models import Decision, Dispute, Evidence, Proposal, Refund, TimelineEntry, text_sha256
from .rules import deadline_for, escalation_opens_at
from .states import (
    CLOSED_STATES,
    DEADLINE_ACTIONS,
    OPEN_STATES,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    Role,
    State,
)

TEXT_MAX = 2000
TRACKING_MAX = 64


def _conflict(dispute: Dispute) -> ParleyError:
    return ParleyError(
        ErrorCode.CONFLICT,
        _("The dispute is now “%(state)s”; this can no longer be done.")
        % {"state": STATE_LABELS[State(dispute.state)]},
        detail={"state": dispute.state},
    )


def _denied() -> ParleyError:
    return ParleyError(ErrorCode.PERMISSION_DENIED, _("Your side cannot do this in this dispute."))


def check_transition(dispute: Dispute, action: Action, role: Role) -> tuple[State, ...]:
    """Refuse what the table does not allow: 403 for the wrong side, 409 for the wrong state."""
    if not any(role in rule.roles for (_s, a), rule in TRANSITIONS.items() if a == action):
        raise _denied()
    rule = TRANSITIONS.get((State(dispute.state), action))
    if rule is None:
        raise _conflict(dispute)
    if role not in rule.roles:
        raise _denied()
    return rule.targets


def _lock(dispute_id: int, actor: User | None) -> tuple[Dispute, Role]:
    """Lock the dispute row and find the actor's side; the caller must be inside a transaction."""
    dispute = (
        Dispute.objects.select_for_update()
        .select_related("order", "order__store", "order__buyer")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        raise NotFound()
    if actor is None:
        return dispute, Role.SYSTEM
    role = selectors.role_of(actor, dispute)
    if role is None:
        raise NotFound()
    return dispute, role


def dispute_payload(dispute: Dispute) -> dict[str, Any]:
    return {
        "dispute": {
            "id": dispute.pk,
            "order": dispute.order.number,
            "store": dispute.order.store.slug,
            "state": dispute.state,
            "reason": dispute.reason,
            "opened_at": dispute.opened_at,
            "deadline_at": dispute.deadline_at,
        }
    }


def _move(
    dispute: Dispute,
    *,
    action: Action | str,
    role: Role,
    actor: User | None,
    to: State,
    at: datetime,
    text: str = "",
    proposal: Proposal | None = None,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Write the new state and its timeline entry; schedule the new deadline after commit."""
    from_state = dispute.state
    if to != from_state:
        dispute.state = to
        dispute.state_changed_at = at
        dispute.deadline_at = deadline_for(to, at)
        if to in CLOSED_STATES:
            dispute.closed_at = at
        dispute.save()
        if dispute.deadline_at is not None:
            _schedule_deadline(dispute.pk, at, dispute.deadline_at)
        if to in CLOSED_STATES:
            webhook_event("dispute.closed", dispute_payload(dispute))
    return TimelineEntry.objects.create(
        dispute=dispute,
        at=at,
        author=actor,
        role=role,
        action=action,
        from_state=from_state,
        to_state=to,
        text=text,
        proposal=proposal,
        data=data or {},
    )


def _schedule_deadline(dispute_id: int, started_at: datetime, deadline: datetime) -> None:
    """The deadline's own job, and a warning job at each moment the parties are warned."""
    from .tasks import dispute_deadline, dispute_deadline_warning

    transaction.on_commit(
        lambda: dispute_deadline.using(run_after=deadline).enqueue(dispute_id=dispute_id)
    )
    for percent, moment in deadline_warning_moments(started_at, deadline):
        transaction.on_commit(
            lambda percent=percent, moment=moment: dispute_deadline_warning.using(
                run_after=moment
            ).enqueue(dispute_id=dispute_id, deadline_at=deadline.isoformat(), percent=percent)
        )


def _parties(dispute: Dispute) -> set[int]:
    """The buyer and every member of the store: both sides of the dispute."""
    members = StoreMembership.objects.filter(store_id=dispute.order.store_id)
    return {dispute.order.buyer_id, *members.values_list("user_id", flat=True)}


def _tell(dispute: Dispute, kind: str, actor: User | None, *, arbitrators: bool = False) -> None:
    """Notify both sides (and arbitrators if asked) of an event, except whoever caused it.

    Called next to the event's webhook, inside the same transaction: ``notify`` records
    nothing unless it commits.
    """
    recipients = _parties(dispute)
    if arbitrators:
        recipients |= set(User.objects.filter(is_arbitrator=True).values_list("pk", flat=True))
    if actor is not None:
        recipients.discard(actor.pk)
    notify(
        recipients=recipients,
        kind=kind,
        params={"order": dispute.order.number},
        link=dispute.get_absolute_url(),
        group=f"dispute:{dispute.pk}",
    )


def dispute_deadline_warn(*, dispute_id: int, deadline_at: datetime, percent: int) -> bool:
    """Warn both sides that ``percent`` of an open dispute's deadline has passed.

    Does nothing if the dispute is closed or its deadline changed since the warning was planned;
    the notification's once-only key makes repeated runs (job and sweep) harmless.
    """
    dispute = Dispute.objects.select_related("order").filter(pk=dispute_id).first()
    if dispute is None or not dispute.is_open or dispute.deadline_at != deadline_at:
        return False
    with transaction.atomic():
        deadline_warning_send(
            recipients=_parties(dispute),
            subject=f"dispute:{dispute.pk}",
            deadline_at=deadline_at,
            percent=percent,
            order=dispute.order.number,
            link=dispute.get_absolute_url(),
        )
    return True


def due_deadline_warnings(at: datetime) -> list[tuple[int, datetime, int]]:
    """(dispute, deadline, percent) of every warning due by ``at`` on an open dispute."""
    due = []
    rows = Dispute.objects.filter(state__in=list(OPEN_STATES), deadline_at__gt=at).values_list(
        "pk", "state_changed_at", "deadline_at"
    )
    for pk, started_at, deadline_at in rows:
        for percent in deadline_warnings_due(started_at, deadline_at, at):
            due.append((pk, deadline_at, percent))
    return due


def _clean_text(text: str, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(_("Please write something."), field=field)
    if len(text) > TEXT_MAX:
        raise Invalid(_("At most %(count)d characters, please.") % {"count": TEXT_MAX}, field=field)
    return text


def _clean_amount(order: Order, amount: Decimal, field: str = "refund_amount") -> Decimal:
    """A refund must be positive and at most what was paid minus what was already refunded."""
    if amount is None or not amount.is_finite() or amount <= 0:
        raise Invalid(_("The refund amount must be more than zero."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(_("The amount can have at most two decimal places."), field=field)
    remaining = selectors.refundable_amount(order)
    if amount > remaining:
        # 409: the request is well-formed; what was paid and refunded so far refuses it.
        raise ParleyError(
            ErrorCode.CONFLICT,
            _("At most %(amount)s %(currency)s can be refunded.")
            % {"amount": remaining, "currency": order.currency},
            detail={"field": field, "refundable": str(remaining)},
        )
    return amount


def refund_record(*, dispute: Dispute, amount: Decimal, cause: str) -> Refund:
    """Record a refund on the dispute's order; the order row lock keeps the sum within paid.

    The caller must be inside a transaction. Concurrent refunds on one order queue on the lock,
    so each sees the others' entries before it checks the cap.
    """
    order = Order.objects.select_for_update().get(pk=dispute.order_id)
    remaining = selectors.refundable_amount(order)
    if amount <= 0 or amount > remaining:
        raise ParleyError(
            ErrorCode.CONFLICT,
            _("At most %(amount)s %(currency)s can be refunded.")
            % {"amount": remaining, "currency": order.currency},
            detail={"refundable": str(remaining)},
        )
    refund = Refund.objects.create(
        order=order,
        dispute=dispute,
        amount=amount,
        currency=order.currency,
        cause=cause,
        created_at=now(),
    )
    webhook_event(
        "refund.recorded",
        {
            **dispute_payload(dispute),
            "refund": {
                "id": refund.pk,
                "order": order.number,
                "amount": str(amount),
                "currency": order.currency,
                "cause": cause,
                "created_at": refund.created_at,
            },
        },
    )
    _tell(dispute, "dispute_refund", None)
    return refund


def _new_offer(
    dispute: Dispute,
    *,
    actor: User,
    role: Role,
    refund_amount: Decimal,
    return_item: bool,
    return_shipping_paid_by: str,
    note: str,
    at: datetime,
) -> Proposal:
    amount = _clean_amount(dispute.order, refund_amount)
    payer = return_shipping_paid_by if return_item else ""
    if return_item and payer not in (Proposal.ShippingPayer.BUYER, Proposal.ShippingPayer.SELLER):
        raise Invalid(_("Say who pays for the return shipping."), field="return_shipping_paid_by")
    dispute.proposals.filter(status=Proposal.Status.OPEN).update(status=Proposal.Status.SUPERSEDED)
    return Proposal.objects.create(
        dispute=dispute,
        author=actor,
        author_role=role,
        refund_amount=amount,
        currency=dispute.order.currency,
        return_item=return_item,
        return_shipping_paid_by=payer,
        note=_clean_text(note, "note", required=False),
        status=Proposal.Status.OPEN,
        created_at=at,
    )


class EvidenceIn:
    """What a side brings with an event: uploaded photos and videos, already uploaded photo
    ids, and messages of the buyer's conversation with the store, cited by id."""

    def __init__(
        self,
        photos: Sequence[UploadedFile] = (),
        attachment_ids: Sequence[int] = (),
        message_ids: Sequence[int] = (),
        videos: Sequence[UploadedFile] = (),
    ) -> None:
        self.photos = list(photos)
        self.videos = list(videos)
        self.attachment_ids = list(dict.fromkeys(attachment_ids))
        self.message_ids = list(dict.fromkeys(message_ids))

    def __bool__(self) -> bool:
        return bool(self.photos or self.videos or self.attachment_ids or self.message_ids)


NO_EVIDENCE = EvidenceIn()


def _evidence_check(dispute_order: Order, actor: User, evidence: EvidenceIn) -> tuple[list, list]:
    """Find what is cited before anything is stored; a foreign id is reported as missing."""
    attachments_check_count(
        len(evidence.photos) + len(evidence.videos) + len(evidence.attachment_ids)
    )
    attachments = list(
        Attachment.objects.filter(owner=actor, pk__in=evidence.attachment_ids).exclude(
            content_type__startswith="video/"
        )
    )
    if len(attachments) != len(evidence.attachment_ids):
        raise NotFound(_("Photo not found."))
    messages: list[Message] = []
    if evidence.message_ids:
        conversation = conversation_between(dispute_order.buyer, dispute_order.store)
        found = {
            m.pk: m
            for m in Message.objects.filter(
                conversation=conversation, pk__in=evidence.message_ids
            ).select_related("sender")
        }
        if conversation is None or len(found) != len(evidence.message_ids):
            raise NotFound(_("Message not found in your conversation with this store."))
        messages = [found[i] for i in evidence.message_ids]
    return attachments, messages


def _evidence_add(
    dispute: Dispute, entry: TimelineEntry, actor: User, evidence: EvidenceIn, found: tuple
) -> None:
    attachments, messages = found
    new_photos = (
        attachments_create_from_uploads(owner=actor, uploads=evidence.photos)
        if evidence.photos
        else []
    )
    videos = _videos_store(actor, evidence.videos, new_photos)
    attachments = attachments + new_photos
    Evidence.objects.bulk_create(
        [
            Evidence(dispute=dispute, entry=entry, kind=Evidence.Kind.PHOTO, attachment=a)
            for a in attachments
        ]
        + [
            Evidence(dispute=dispute, entry=entry, kind=Evidence.Kind.VIDEO, attachment=v)
            for v in videos
        ]
        + [
            Evidence(
                dispute=dispute,
                entry=entry,
                kind=Evidence.Kind.CHAT,
                message=m,
                message_sent_at=m.created_at,
                message_author=m.sender,
                message_text_sha256=text_sha256(m.body),
            )
            for m in messages
        ]
    )


def _videos_store(
    actor: User, uploads: Sequence[UploadedFile], stored_before: list[Attachment]
) -> list[Attachment]:
    """Judge and store each video; a refusal also removes the files stored just before it
    (their rows roll back with the dispute's transaction)."""
    videos: list[Attachment] = []
    try:
        for upload in uploads:
            videos.append(attachment_create_video_from_upload(owner=actor, upload=upload))
    except BaseException:
        attachment_files_delete([*stored_before, *videos])
        raise
    return videos


def dispute_open(
    *,
    actor: User,
    order_number: str,
    reason: str,
    description: str,
    refund_amount: Decimal,
    return_item: bool,
    evidence: EvidenceIn = NO_EVIDENCE,
) -> Dispute:
    """Open a dispute on the buyer's own order with their proposal and evidence; it goes to
    the seller."""
    if reason not in Dispute.Reason.values:
        raise Invalid(_("Choose a reason."), field="reason")
    description = _clean_text(description, "description")
    at = now()
    try:
        with transaction.atomic():
            order = get_order_for_buyer(actor, order_number)
            order = (
                Order.objects.select_for_update().select_related("shipping_method").get(pk=order.pk)
            )
            eligibility = selectors.dispute_eligibility(order, at)
            if not eligibility.allowed:
                raise ParleyError(
                    ErrorCode.PERMISSION_DENIED,
                    eligibility.message,
                    detail={"reason": eligibility.code, "date": eligibility.date},
                )
            found = _evidence_check(order, actor, evidence)
            dispute = Dispute.objects.create(
                order=order,
                reason=reason,
                description=description,
                state=State.AWAITING_SELLER,
                opened_at=at,
                state_changed_at=at,
                deadline_at=deadline_for(State.AWAITING_SELLER, at),
            )
            proposal = _new_offer(
                dispute,
                actor=actor,
                role=Role.BUYER,
                refund_amount=refund_amount,
                return_item=return_item,
                return_shipping_paid_by=Proposal.ShippingPayer.SELLER if return_item else "",
                note="",
                at=at,
            )
            entry = TimelineEntry.objects.create(
                dispute=dispute,
                at=at,
                author=actor,
                role=Role.BUYER,
                action=Action.OPEN,
                to_state=State.AWAITING_SELLER,
                text=description,
                proposal=proposal,
                data={"reason": reason},
            )
            _evidence_add(dispute, entry, actor, evidence, found)
            _schedule_deadline(dispute.pk, at, dispute.deadline_at)
            webhook_event("dispute.opened", dispute_payload(dispute))
            _tell(dispute, "dispute_opened", actor)
    except IntegrityError:
        raise ParleyError(ErrorCode.CONFLICT, _("A dispute is already open.")) from None
    return dispute


def _agree(
    dispute: Dispute,
    proposal: Proposal,
    *,
    action: Action,
    role: Role,
    actor: User | None,
    at: datetime,
    cause: str,
) -> TimelineEntry:
    proposal.status = Proposal.Status.ACCEPTED
    proposal.save(update_fields=["status"])
    dispute.agreed_proposal = proposal
    to = State.AWAITING_RETURN if proposal.return_item else State.RESOLVED
    entry = _move(dispute, action=action, role=role, actor=actor, to=to, at=at, proposal=proposal)
    webhook_event("dispute.agreed", dispute_payload(dispute))
    if to == State.RESOLVED:
        refund_record(dispute=dispute, amount=proposal.refund_amount, cause=cause)
    return entry


def _answered(dispute: Dispute, from_state: str, actor: User) -> None:
    if from_state == State.AWAITING_SELLER:
        webhook_event("dispute.answered", dispute_payload(dispute))
        _tell(dispute, "dispute_answered", actor)


def dispute_accept(*, actor: User, dispute_id: int, proposal_id: int) -> Dispute:
    """Accept the other side's latest offer; an older or own offer is a conflict."""
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        check_transition(dispute, Action.ACCEPT, role)
        other = Role.SELLER if role == Role.BUYER else Role.BUYER
        latest = selectors.latest_offer(dispute, by=other)
        if latest is None or latest.pk != proposal_id:
            raise ParleyError(
                ErrorCode.CONFLICT, _("This is not the other side's latest offer any more.")
            )
        from_state = dispute.state
        _agree(
            dispute,
            latest,
            action=Action.ACCEPT,
            role=role,
            actor=actor,
            at=now(),
            cause=Refund.Cause.AGREEMENT,
        )
        _answered(dispute, from_state, actor)
    return dispute


def dispute_counter(
    *,
    actor: User,
    dispute_id: int,
    refund_amount: Decimal,
    return_item: bool,
    return_shipping_paid_by: str = "",
    note: str = "",
) -> Proposal:
    """Make a new offer card; it supersedes every open offer of both sides."""
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.COUNTER, role)
        at = now()
        from_state = dispute.state
        proposal = _new_offer(
            dispute,
            actor=actor,
            role=role,
            refund_amount=refund_amount,
            return_item=return_item,
            return_shipping_paid_by=return_shipping_paid_by,
            note=note,
            at=at,
        )
        _move(
            dispute,
            action=Action.COUNTER,
            role=role,
            actor=actor,
            to=to,
            at=at,
            text=proposal.note,
            proposal=proposal,
        )
        _answered(dispute, from_state, actor)
        webhook_event(
            "dispute.offer_made",
            {**dispute_payload(dispute), "offer": _offer_payload(proposal)},
        )
        _tell(dispute, "dispute_offer", actor)
    return proposal


def _offer_payload(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "by": proposal.author_role,
        "refund_amount": str(proposal.refund_amount),
        "currency": proposal.currency,
        "return_item": proposal.return_item,
        "return_shipping_paid_by": proposal.return_shipping_paid_by,
    }


def dispute_reject(*, actor: User, dispute_id: int, reason: str) -> Dispute:
    """The seller refuses the buyer's proposal with a reason; negotiation continues."""
    reason = _clean_text(reason, "reason")
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.REJECT, role)
        from_state = dispute.state
        _move(dispute, action=Action.REJECT, role=role, actor=actor, to=to, at=now(), text=reason)
        _answered(dispute, from_state, actor)
    return dispute


def dispute_comment(
    *, actor: User, dispute_id: int, text: str, evidence: EvidenceIn = NO_EVIDENCE
) -> TimelineEntry:
    """Add a comment and/or evidence (photos, cited chat messages) to the timeline."""
    text = _clean_text(text, "text", required=not evidence)
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.COMMENT, role)
        found = _evidence_check(dispute.order, actor, evidence)
        entry = _move(
            dispute, action=Action.COMMENT, role=role, actor=actor, to=to, at=now(), text=text
        )
        _evidence_add(dispute, entry, actor, evidence, found)
        return entry


def dispute_withdraw(*, actor: User, dispute_id: int) -> Dispute:
    """The buyer ends the dispute at any time before a decision."""
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.WITHDRAW, role)
        _move(dispute, action=Action.WITHDRAW, role=role, actor=actor, to=to, at=now())
    return dispute


def dispute_escalate(*, actor: User, dispute_id: int, text: str = "") -> Dispute:
    """Send a dispute without agreement to arbitration, once the escalation period has passed."""
    text = _clean_text(text, "text", required=False)
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.ESCALATE, role)
        at = now()
        opens_at = escalation_opens_at(dispute.opened_at)
        if at < opens_at:
            raise ParleyError(
                ErrorCode.PERMISSION_DENIED,
                _("The dispute can be escalated from %(date)s.")
                % {"date": selectors.format_moment(opens_at)},
                detail={"reason": "too_early", "date": opens_at},
            )
        dispute.escalated_at = at
        _move(dispute, action=Action.ESCALATE, role=role, actor=actor, to=to, at=at, text=text)
        webhook_event("dispute.escalated", dispute_payload(dispute))
        _tell(dispute, "dispute_escalated", actor, arbitrators=True)
    return dispute


def dispute_ship_return(*, actor: User, dispute_id: int, tracking_number: str) -> Dispute:
    tracking_number = (tracking_number or "").strip()
    if not tracking_number or len(tracking_number) > TRACKING_MAX:
        raise Invalid(_("Enter the tracking number of the return."), field="tracking_number")
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.SHIP_RETURN, role)
        _move(
            dispute,
            action=Action.SHIP_RETURN,
            role=role,
            actor=actor,
            to=to,
            at=now(),
            data={"tracking_number": tracking_number},
        )
    return dispute


def dispute_confirm_receipt(*, actor: User, dispute_id: int) -> Dispute:
    """The seller got the item back: the agreed refund is recorded and the dispute resolved."""
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.CONFIRM_RECEIPT, role)
        _move(dispute, action=Action.CONFIRM_RECEIPT, role=role, actor=actor, to=to, at=now())
        refund_record(
            dispute=dispute,
            amount=dispute.agreed_proposal.refund_amount,
            cause=Refund.Cause.RECEIPT_CONFIRMED,
        )
    return dispute


def dispute_request_info(*, actor: User, dispute_id: int, party: str, question: str) -> Dispute:
    """The arbitrator asks one side for more; that side has its own deadline to answer."""
    question = _clean_text(question, "question")
    if party not in (Role.BUYER, Role.SELLER):
        raise Invalid(_("Choose whom to ask."), field="party")
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.REQUEST_INFO, role)
        dispute.info_requested_from = party
        _move(
            dispute,
            action=Action.REQUEST_INFO,
            role=role,
            actor=actor,
            to=to,
            at=now(),
            text=question,
            data={"party": party},
        )
        webhook_event("dispute.info_requested", {**dispute_payload(dispute), "party": party})
        _tell(dispute, "dispute_info_requested", actor)
    return dispute


def dispute_provide_info(*, actor: User, dispute_id: int, text: str) -> Dispute:
    text = _clean_text(text, "text")
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.PROVIDE_INFO, role)
        if role != dispute.info_requested_from:
            raise _denied()
        dispute.info_requested_from = ""
        _move(
            dispute, action=Action.PROVIDE_INFO, role=role, actor=actor, to=to, at=now(), text=text
        )
    return dispute


def dispute_decide(
    *,
    actor: User,
    dispute_id: int,
    outcome: str,
    reason: str,
    refund_amount: Decimal | None = None,
) -> Decision:
    """The arbitrator's final word: outcome, amount and a written reason; closes the dispute."""
    reason = _clean_text(reason, "reason")
    if outcome not in Decision.Outcome.values:
        raise Invalid(_("Choose an outcome."), field="outcome")
    with transaction.atomic():
        dispute, role = _lock(dispute_id, actor)
        (to,) = check_transition(dispute, Action.DECIDE, role)
        order = dispute.order
        if outcome == Decision.Outcome.NO_REFUND:
            amount = Decimal("0")
        elif outcome == Decision.Outcome.FULL_REFUND:
            amount = selectors.refundable_amount(order)
            if amount <= 0:
                raise ParleyError(ErrorCode.CONFLICT, _("The order has been refunded in full."))
        else:
            amount = _clean_amount(order, refund_amount)
        at = now()
        decision = Decision.objects.create(
            dispute=dispute,
            arbitrator=actor,
            outcome=outcome,
            refund_amount=amount,
            currency=order.currency,
            reason=reason,
            decided_at=at,
        )
        dispute.info_requested_from = ""
        _move(
            dispute,
            action=Action.DECIDE,
            role=role,
            actor=actor,
            to=to,
            at=at,
            text=reason,
            data={"outcome": outcome, "refund_amount": str(amount)},
        )
        webhook_event(
            "dispute.decided",
            {
                **dispute_payload(dispute),
                "decision": {"outcome": outcome, "refund_amount": str(amount), "reason": reason},
            },
        )
        _tell(dispute, "dispute_decided", actor)
        if amount > 0:
            refund_record(dispute=dispute, amount=amount, cause=Refund.Cause.DECISION)
    return decision


def dispute_deadline_act(*, dispute_id: int) -> TimelineEntry | None:
    """Carry out an overdue deadline; do nothing if the state moved on or the time has not come.

    Safe to run any number of times, also concurrently: the row lock serializes the runs and
    the first one moves the state, so the others find nothing to do.
    """
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update()
            .select_related("order")
            .filter(pk=dispute_id)
            .first()
        )
        at = now()
        if dispute is None or dispute.deadline_at is None or dispute.deadline_at > at:
            return None
        action = DEADLINE_ACTIONS.get(State(dispute.state))
        if action is None:
            return None
        check_transition(dispute, action, Role.SYSTEM)
        data = {"deadline_at": dispute.deadline_at.isoformat()}
        if action == Action.SELLER_TIMEOUT:
            proposal = selectors.latest_offer(dispute, by=Role.BUYER)
            entry = _agree(
                dispute,
                proposal,
                action=action,
                role=Role.SYSTEM,
                actor=None,
                at=at,
                cause=Refund.Cause.SELLER_TIMEOUT,
            )
            return entry
        if action == Action.RETURN_TIMEOUT:
            return _move(
                dispute, action=action, role=Role.SYSTEM, actor=None, to=State.RETURN_EXPIRED,
                at=at, data=data,
            )  # fmt: skip
        if action == Action.RECEIPT_TIMEOUT:
            entry = _move(
                dispute, action=action, role=Role.SYSTEM, actor=None, to=State.RESOLVED,
                at=at, data=data,
            )  # fmt: skip
            refund_record(
                dispute=dispute,
                amount=dispute.agreed_proposal.refund_amount,
                cause=Refund.Cause.RECEIPT_TIMEOUT,
            )
            return entry
        dispute.info_requested_from = ""
        return _move(
            dispute, action=action, role=Role.SYSTEM, actor=None, to=State.ESCALATED, at=at,
            data=data,
        )  # fmt: skip


def overdue_dispute_ids(at: datetime) -> list[int]:
    return list(
        Dispute.objects.filter(state__in=list(DEADLINE_ACTIONS), deadline_at__lte=at).values_list(
            "pk", flat=True
        )
    )
