"""One-time form tokens: a second click or a replayed POST of the same form acts only once.

A form that changes something upstream holds `{% include "_form_token.html" %}`; its view claims
the token before acting:

    replayed = formtokens.consume(request, request.POST.get(formtokens.FIELD_NAME),
                                  result_url=member_url)  # FormTokenError: show it as a form error
    if replayed is not None:
        messages.info(request, formtokens.REPLAY_MESSAGE)
        return redirect(replayed)

The claim is `cache.add`, atomic in the shared cache (database or Redis), so two processes
racing on one token cannot both win. The re-rendered form of a refused submission renders a new
token; `release()` frees one whose submission changed nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from apps.core.errors import ServiceError, apply_service_error

FIELD_NAME = "form_token"
MAX_AGE_SECONDS = 24 * 3600
REPLAY_MESSAGE = "This form was already submitted; nothing was sent twice."
INVALID_MESSAGE = (
    "This form could not be verified (it is too old or was changed). "
    "Reload the page and submit it again."
)
_SALT = "teamsadmin.formtokens"
_CACHE_PREFIX = "formtoken:"


class FormTokenError(ServiceError):
    """The form's token is missing, forged, another user's or expired; nothing was done."""

    def __init__(self) -> None:
        super().__init__(INVALID_MESSAGE)


def _signer(request: HttpRequest) -> signing.TimestampSigner:
    # Bound to the user: a token lifted from one user's page is refused for another.
    user_pk = getattr(getattr(request, "user", None), "pk", None)
    return signing.TimestampSigner(salt=f"{_SALT}:{user_pk}")


def issue(request: HttpRequest) -> str:
    """A new signed one-time token for a form rendered for this request's user."""
    return _signer(request).sign(secrets.token_urlsafe(18))


def _claim_key(request: HttpRequest, token: str | None) -> str:
    if not token:
        raise FormTokenError
    try:
        nonce = _signer(request).unsign(token, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise FormTokenError from None
    return _CACHE_PREFIX + nonce


def consume(request: HttpRequest, token: str | None, *, result_url: str) -> str | None:
    """Claim the token: None on first use (go ahead), else the first submission's result_url.

    Raises FormTokenError for a missing, forged or expired token.
    """
    key = _claim_key(request, token)
    if cache.add(key, result_url, timeout=MAX_AGE_SECONDS):
        return None
    return str(cache.get(key) or result_url)


def settle(request: HttpRequest, token: str | None, *, result_url: str) -> None:
    """Point replays of a claimed token at the page the first submission ended on."""
    cache.set(_claim_key(request, token), result_url, timeout=MAX_AGE_SECONDS)


def release(request: HttpRequest, token: str | None) -> None:
    """Free a claimed token whose submission changed nothing (refused input), so it may be resent."""
    cache.delete(_claim_key(request, token))


def submit_once(
    request: HttpRequest, form: forms.Form, *, pending_url: str, act: Callable[[], str]
) -> HttpResponse | None:
    """Run a valid form's action once; None when the form must be shown again with its errors.

    `act` does the work and returns where the user goes next; a replay of the same form goes
    there too (or to `pending_url` while the first submission is still running). A ServiceError
    from `act` is shown in the form and frees the token: nothing changed, the corrected form may
    be sent again.
    """
    token = request.POST.get(FIELD_NAME)
    try:
        replayed = consume(request, token, result_url=pending_url)
    except FormTokenError as error:
        form.add_error(None, error.message)
        return None
    if replayed is not None:
        messages.info(request, REPLAY_MESSAGE)
        return redirect(replayed)
    try:
        done_url = act()
    except ServiceError as error:
        release(request, token)
        apply_service_error(form, error)
        return None
    settle(request, token, result_url=done_url)
    return redirect(done_url)
