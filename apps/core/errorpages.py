"""The 403, 404 and 500 pages: the site's layout, in plain words, with a way back.

The 500 page renders from a plain context: no context processors, so no session, user or
database lookup, because the database may be what failed.
"""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.urls import reverse

from apps.core.navigation import NAV_ITEMS

GENERIC_DENIAL = "Your role does not allow you to open this page."


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Shows the reason the check gave (e.g. "Your role does not allow you to view activity.")."""
    reason = str(exception) or GENERIC_DENIAL
    body = loader.render_to_string("403.html", {"reason": reason}, request)
    return HttpResponseForbidden(body)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The exception's own text names models and lookups; people get the path and likely causes.
    body = loader.render_to_string("404.html", {"request_path": request.path}, request)
    return HttpResponseNotFound(body)


def server_error(request: HttpRequest) -> HttpResponse:
    # Every area, unfiltered: finding out which the user may open would need the database.
    nav_items = [
        {"label": item.label, "url": reverse(item.url_name), "active": False} for item in NAV_ITEMS
    ]
    body = loader.get_template("500.html").render({"nav_items": nav_items})
    return HttpResponseServerError(body)
