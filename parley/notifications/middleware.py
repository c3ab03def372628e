"""Track when a signed-in user was last on the site (for "e-mail only when away")."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .services import presence_touch


class PresenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            presence_touch(user=user)
        return self.get_response(request)
