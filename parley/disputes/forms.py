"""Forms of the dispute pages; they only read input, the services decide."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from parley.attachments.images import megabytes

from .models import Decision, Dispute, Proposal

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


def when(moment: object) -> str:
    """A time in the reader's zone, as the rest of the page shows it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the attachments service judges each one by its bytes."""

    widget = PhotosInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for upload in files:
            cleaned.append(super().clean(upload, initial))
        return cleaned


class EvidenceFields(forms.Form):
    """Photos, a video and chat messages to cite: the buyer's conversation with this store."""

    photos = PhotosField(label=_("Photos"), required=False)
    video = forms.FileField(
        label=_("Video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    messages = forms.TypedMultipleChoiceField(
        label=_("Chat messages to cite"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, messages: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["video"].help_text = _(
            "MP4 or WebM, at most %(mb)s MB and %(seconds)s seconds. "
            "Location and other metadata are removed."
        ) % {
            "mb": megabytes(settings.DISPUTE_VIDEO_MAX_BYTES),
            "seconds": settings.DISPUTE_VIDEO_MAX_SECONDS,
        }
        self.fields["messages"].choices = [
            (m.pk, f"{when(m.created_at)} · {m.sender.public_name}: {m.body[:120]}")
            for m in messages or []
        ]
        if not messages:
            del self.fields["messages"]


class DisputeOpenForm(EvidenceFields):
    reason = forms.ChoiceField(
        label=_("What went wrong"), choices=Dispute.Reason.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    resolution = forms.ChoiceField(
        label=_("What you propose"),
        choices=[
            ("refund_only", _("Refund only (I keep the item)")),
            ("return_and_refund", _("I will return the item, and get a refund")),
        ],
        widget=forms.RadioSelect,
        initial="refund_only",
    )
    refund_amount = forms.DecimalField(label=_("Refund amount asked"), **MONEY)

    field_order = [
        "reason",
        "description",
        "resolution",
        "refund_amount",
        "photos",
        "video",
        "messages",
    ]


class OfferForm(forms.Form):
    refund_amount = forms.DecimalField(label=_("Refund amount"), **MONEY)
    return_item = forms.BooleanField(label=_("The item is returned"), required=False)
    return_shipping_paid_by = forms.ChoiceField(
        label=_("Return shipping paid by"),
        choices=[
            (Proposal.ShippingPayer.SELLER, _("seller")),
            (Proposal.ShippingPayer.BUYER, _("buyer")),
        ],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    """No fields: the button is the whole form (withdraw, confirm receipt)."""


class AcceptForm(forms.Form):
    proposal_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you reject"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(EvidenceFields):
    text = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["text", "photos", "video", "messages"]


class EscalateForm(forms.Form):
    text = forms.CharField(
        label=_("What the arbitrator should know"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnShipmentForm(forms.Form):
    tracking_number = forms.CharField(label=_("Tracking number of the return"), max_length=64)


class InfoRequestForm(forms.Form):
    party = forms.ChoiceField(
        label=_("Ask"), choices=[("buyer", _("the buyer")), ("seller", _("the seller"))]
    )
    question = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProvideInfoForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer to the arbitrator"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    refund_amount = forms.DecimalField(
        label=_("Refund amount (partial refund, return and refund)"), required=False, **MONEY
    )
    reason = forms.CharField(
        label=_("Reason, shown to both sides"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
