"""Signing out sessions left idle for longer than TEAMSADMIN_SESSION_IDLE_MINUTES."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

LAST_SEEN_KEY = "teamsadmin_last_seen"


def session_started(sender: Any, *, request: HttpRequest | None, **kwargs: Any) -> None:
    """Start the idle clock at sign-in (a user_logged_in receiver), so the first request
    after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()


class IdleSignOutMiddleware:
    """Sign out a session whose last request is older than the idle limit, with a message.

    The time of the last request is kept in the session, rewritten only when it is a minute
    old (or a tenth of the limit when that is shorter), so most requests write nothing; the
    limit is therefore kept to within that step. The signed-out request goes on as an
    anonymous one: LoginRequiredMiddleware sends it to the login page, where the message shows;
    an htmx request is told to load the login page in place of the whole page instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            idle = settings.TEAMSADMIN_SESSION_IDLE_MINUTES * 60
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int | float) and now - last_seen > idle:
                minutes = settings.TEAMSADMIN_SESSION_IDLE_MINUTES
                noun = "minute" if minutes == 1 else "minutes"
                message = f"You were signed out after {minutes} {noun} without activity."
                request.signout_message = message  # type: ignore[attr-defined]  # for the audit entry
                logout(request)
                messages.info(request, f"{message} Sign in again to continue.")
                if request.headers.get("HX-Request") == "true":
                    # htmx would swap the sign-in page into a fragment: move the whole page.
                    page = urlsplit(request.headers.get("HX-Current-URL", ""))
                    back = page.path + (f"?{page.query}" if page.query else "")
                    login = redirect_to_login(back or request.get_full_path())
                    return HttpResponseClientRedirect(login["Location"])
            elif not isinstance(last_seen, int | float) or now - last_seen >= min(60, idle / 10):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
