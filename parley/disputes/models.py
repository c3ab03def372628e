"""Disputes, their offers, their append-only timeline, refunds and arbitration decisions.

Tables and invariants only: every change of state goes through ``services``.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parley.marketplace.models import Order, currency_field, money_field

from .states import ACTION_LABELS, OPEN_STATES, ROLE_LABELS, STATE_LABELS, Action, Role, State


class Dispute(models.Model):
    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("not received")
        NOT_AS_DESCRIBED = "not_as_described", _("not as described")
        DAMAGED = "damaged", _("damaged")
        OTHER = "other", _("other")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    description = models.TextField(_("description"))
    state = models.CharField(
        _("state"), max_length=20, choices=[(s.value, label) for s, label in STATE_LABELS.items()]
    )
    opened_at = models.DateTimeField(_("opened"))
    state_changed_at = models.DateTimeField(_("state changed"))
    deadline_at = models.DateTimeField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("When the waiting state's timer runs out."),
    )
    info_requested_from = models.CharField(
        _("information requested from"), max_length=8, blank=True
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    agreed_proposal = models.ForeignKey(
        "Proposal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(state__in=sorted(s.value for s in OPEN_STATES)),
                name="dispute_one_open_per_order",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline_at"], name="dispute_state_deadline")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.order.number})"

    def get_absolute_url(self) -> str:
        return reverse("disputes:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[State(self.state)])


class Proposal(models.Model):
    """An offer card: what one side proposes; the other side may accept its latest one."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        SUPERSEDED = "superseded", _("superseded")

    class ShippingPayer(models.TextChoices):
        NONE = "", _("no return")
        BUYER = "buyer", _("buyer")
        SELLER = "seller", _("seller")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(_("side"), max_length=8)
    refund_amount = money_field(_("refund amount"))
    currency = currency_field()
    return_item = models.BooleanField(_("return the item"))
    return_shipping_paid_by = models.CharField(
        _("return shipping paid by"),
        max_length=8,
        choices=ShippingPayer.choices,
        blank=True,
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(_("made"))

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_amount__gt=0), name="proposal_refund_positive"
            ),
            models.CheckConstraint(
                condition=Q(return_item=False, return_shipping_paid_by="")
                | Q(return_item=True, return_shipping_paid_by__in=["buyer", "seller"]),
                name="proposal_return_payer_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.refund_amount} {self.currency} ({self.author_role})"


class TimelineEntry(models.Model):
    """One event of a dispute. Append-only: entries are never changed or deleted."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(_("time"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("side"), max_length=10, choices=[(r.value, r.value) for r in Role])
    action = models.CharField(
        _("event"), max_length=20, choices=[(a.value, a.value) for a in Action]
    )
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    text = models.TextField(_("text"), blank=True)
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.role} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Timeline entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Timeline entries are append-only.")

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[Action(self.action)])

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[Role(self.role)])


class Refund(models.Model):
    """A refund owed to the buyer; the host marketplace executes the payment."""

    class Cause(models.TextChoices):
        AGREEMENT = "agreement", _("agreement of both sides")
        SELLER_TIMEOUT = "seller_timeout", _("the seller did not answer in time")
        RECEIPT_CONFIRMED = "receipt_confirmed", _("the seller confirmed the returned item")
        RECEIPT_TIMEOUT = "receipt_timeout", _("the seller did not confirm receipt in time")
        DECISION = "decision", _("arbitrator's decision")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field(_("amount"))
    currency = currency_field()
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} → {self.order.number}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        FULL_REFUND = "full_refund", _("full refund")
        PARTIAL_REFUND = "partial_refund", _("partial refund")
        RETURN_AND_REFUND = "return_and_refund", _("return and refund")
        NO_REFUND = "no_refund", _("no refund")

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="decision")
    arbitrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    refund_amount = money_field(_("refund amount"), default=0)
    currency = currency_field()
    reason = models.TextField(_("reason"))
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="no_refund", refund_amount=0)
                | (~Q(outcome="no_refund") & Q(refund_amount__gt=0)),
                name="decision_amount_matches_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.dispute_id})"


class Evidence(models.Model):
    """Something a side submitted, attached to the timeline event that brought it.

    A photo or a video keeps its attachment (SHA-256, server receipt time). A chat record
    cites a message by reference and keeps its id, time, author and the SHA-256 of its text as
    cited, so anyone can check the message still says what it said.
    """

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")
        CHAT = "chat", _("chat message")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    entry = models.ForeignKey(TimelineEntry, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    attachment = models.ForeignKey(
        "attachments.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message_sent_at = models.DateTimeField(_("message sent"), null=True, blank=True)
    message_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message_text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["photo", "video"], attachment__isnull=False, message__isnull=True
                )
                | Q(kind="chat", message__isnull=False, attachment__isnull=True),
                name="evidence_kind_matches_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def message_unchanged(self) -> bool:
        """Whether the cited message still has the text it had when it was cited."""
        return self.message is not None and text_sha256(self.message.body) == (
            self.message_text_sha256
        )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
