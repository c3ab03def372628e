from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search messages"), max_length=200, required=False)
    store = forms.ChoiceField(label=_("Store"), required=False)
    buyer = forms.TypedChoiceField(label=_("Buyer"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    has_photos = forms.BooleanField(label=_("With photos"), required=False)

    def __init__(self, *args, stores=(), buyers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("Any store"))] + [(s.slug, s.name) for s in stores]
        self.fields["buyer"].choices = [("", _("Any buyer"))] + [
            (b.pk, b.public_name) for b in buyers
        ]
        if not stores:
            del self.fields["store"]
        if not buyers:
            del self.fields["buyer"]

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            store=data.get("store") or None,
            buyer=data.get("buyer"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            has_photos=bool(data.get("has_photos")),
        )
