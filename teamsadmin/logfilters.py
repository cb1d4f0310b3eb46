"""Console logging filters: the sandbox's request lines and the per-call API lines off, a
refused request in one line, kombu's default-host notice off."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

SANDBOX_PATH = "/sandbox/"


def _request_path(record: logging.LogRecord) -> str | None:
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)  # django.request: an HttpRequest
    if isinstance(path, str):
        return path
    if record.name == "django.server" and isinstance(record.args, tuple) and record.args:
        parts = str(record.args[0]).split()  # the request line: "GET /path HTTP/1.1"
        return parts[1] if len(parts) > 1 else None
    return None


class SandboxRequestsFilter(logging.Filter):
    """Drop the request lines of /sandbox/ paths (runserver's access log, Django's 4xx warnings).

    The sandbox answers every API call the worker makes and rate-limits on purpose; its lines
    would bury the dashboard's own. Server errors (5xx) still show.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        path = _request_path(record)
        if path is None or not path.startswith(SANDBOX_PATH):
            return True
        return int(getattr(record, "status_code", 0) or 0) >= 500


class PermissionDeniedFilter(logging.Filter):
    """Log a refused request as one line with its reason, without a traceback.

    A PermissionDenied is an expected outcome (a role without the capability), not a fault.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, PermissionDenied):
            if str(error):
                record.msg = f"{record.msg}: %s"
                record.args = (*(record.args if isinstance(record.args, tuple) else ()), error)
            record.exc_info = None
            record.exc_text = None
        return True


class TeamsApiCallsFilter(logging.Filter):
    """Keep the Teams API client's per-call and per-token lines (below WARNING) off a handler.

    Put on the console handler rather than the logger, so the lines are still recorded for
    whoever listens closer (LOG_LEVEL=DEBUG drops this filter).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith("apps.teamsapi")


class BrokerDefaultHostFilter(logging.Filter):
    """Drop kombu's notice that a broker URL names no host: the embedded filesystem broker
    (`filesystem://`) needs none, and the notice repeats on every connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("No hostname was supplied")
