from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import kind_choices


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("Also send me an e-mail about"),
        choices=kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
