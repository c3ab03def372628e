"""Page forms; they only shape input, the services decide what is allowed."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import rules

RATING_CHOICES = [
    (5, _("5 — excellent")),
    (4, _("4 — good")),
    (3, _("3 — fair")),
    (2, _("2 — poor")),
    (1, _("1 — very poor")),
]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Rating"), choices=RATING_CHOICES, coerce=int)
    text = forms.CharField(
        label=_("Your review"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=rules.TEXT_MAX_LENGTH,
    )
    is_question = forms.BooleanField(
        label=_("My review contains a question for the seller"), required=False
    )
    order_number = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("The store's reply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REPLY_MAX_LENGTH,
    )


class MultiplePhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotosField(forms.FileField):
    """Several files under one name; the attachments app judges each of them."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotosInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        )
        super().__init__(**kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)] if data else []


class ReviewCreateForm(ReviewForm):
    photos = MultiplePhotosField(
        label=_("Photos"),
        required=False,
        help_text=format_lazy(
            _("Up to {limit} photos: JPEG, PNG, WebP or GIF."), limit=rules.PHOTOS_MAX
        ),
    )
