"""How htmx requests are answered, in one place.

Errors: a failed htmx request gets status 422 with the error fragment retargeted at the
page's #messages region. base.html configures htmx to swap 422 responses (htmx 2 does not swap
non-2xx by default), so tests see an honest status and the page shows the message. Plain
(non-htmx) requests get a flash message and a redirect back, so every page also works without JS.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from apps.core.errors import ServiceError

ERROR_STATUS = 422


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


def is_partial(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """The whole page, or only its named partial (`template#partial`) for an htmx request."""
    return f"{template}#{partial}" if is_partial(request) else template


def safe_back_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.headers.get("Referer", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def render_error(
    request: HttpRequest, error: ServiceError, *, fallback_url: str = "/"
) -> HttpResponse:
    """Show a ServiceError in the page: a #messages fragment for htmx, a flash + redirect otherwise."""
    if is_partial(request):
        response = render(
            request, "_messages.html", {"errors": [error.message]}, status=ERROR_STATUS
        )
        return reswap(retarget(response, "#messages"), "innerHTML")
    messages.error(request, error.message)
    return HttpResponseRedirect(safe_back_url(request, fallback_url))
