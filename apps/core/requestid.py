"""Request ids: every request carries one, taken from a trusted-looking X-Request-ID or made here."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
MAX_LENGTH = 64
# Bounded and plain so a forged header cannot smuggle markup or log-line breaks into records.
_WELL_FORMED = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_LENGTH}}}")
# The id of the request (or Celery task) this thread is serving, for log lines made far from it.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


def request_id_from(value: str | None) -> str:
    """`value` when it is a well-formed request id, else a fresh uuid4 hex."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


def request_id_of(request: HttpRequest | None) -> str:
    """The id RequestIdMiddleware gave the request ("" without a request or the middleware)."""
    return str(getattr(request, "request_id", "")) if request is not None else ""


class RequestIdMiddleware:
    """Sets `request.request_id` and echoes it in the response's X-Request-ID header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        bound = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(bound)
        response[HEADER] = request_id
        return response
