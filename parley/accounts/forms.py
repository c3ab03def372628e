from django import forms
from django.contrib.auth.forms import AuthenticationForm

from parley.core.errors import ParleyError

from .services import credentials_check


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, with failures counted and refused past the limit."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = credentials_check(
                    request=self.request, username=username, password=password
                )
            except ParleyError as error:
                raise forms.ValidationError(error.message, code=str(error.code)) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
