"""Cache-Control: no-store on every response to a signed-in user, so no page, partial, export or
redirect meant for one person is kept by a browser or a shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """Marks responses to signed-in users no-store; public static files never reach it (whitenoise
    answers them earlier and keeps their long cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Read before the view too: signing out ends the session, yet its answer went to a
        # signed-in user.
        signed_in = _signed_in(request)
        response = self.get_response(request)
        if signed_in or _signed_in(request):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
