"""Settings forms; the marketplace services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from parley.marketplace.services import AWAY_MESSAGE_MAX_LENGTH, CONTACT_FIELD_MAX_LENGTHS
from parley.reviews import rules as review_rules
from parley.reviews.selectors import FeedShow


class ContactsForm(forms.Form):
    contact_email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=CONTACT_FIELD_MAX_LENGTHS["contact_email"],
        widget=forms.EmailInput,
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=CONTACT_FIELD_MAX_LENGTHS["contact_phone"],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("For example +7 495 123-45-67"),
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=CONTACT_FIELD_MAX_LENGTHS["address"]
    )
    working_hours = forms.CharField(
        label=_("Working hours"),
        required=False,
        max_length=CONTACT_FIELD_MAX_LENGTHS["working_hours"],
    )
    messengers = forms.CharField(
        label=_("Messengers"),
        required=False,
        max_length=CONTACT_FIELD_MAX_LENGTHS["messengers"],
        help_text=_("For example: Telegram @store"),
    )


class AwayForm(forms.Form):
    away_message = forms.CharField(
        label=_("Away notice"),
        required=False,
        max_length=AWAY_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the store page and in the chat until the return date."),
    )
    away_until = forms.DateField(
        label=_("Back on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FeedFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(FeedShow.UNANSWERED.value, _("Unanswered")), (FeedShow.ALL.value, _("All"))],
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any rating"))]
        + [(n, str(n)) for n in range(review_rules.RATING_MAX, review_rules.RATING_MIN - 1, -1)],
    )
