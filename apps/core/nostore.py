"""Cache-Control: no-store on every response to a signed-in user, so no page, partial, export or
redirect meant for one person is kept by a browser or a shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class NoStoreMiddleware:
    """Marks responses to signed-in users no-store.

    It sits outside the other middleware so that answers they make late (CommonMiddleware's
    added-slash redirect) are marked too. Static files never reach the authentication middleware
    (whitenoise answers them first), so they keep their long cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # Signing out ends the session before the answer is sent: the session cookie the
        # request came with still says whom it was for.
        if user is not None and (
            user.is_authenticated or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
