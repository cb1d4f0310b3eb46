"""LOG_FORMAT=json: one JSON object per line with time, level, logger, message, request id and
exception text.

A small formatter of our own rather than python-json-logger: the record has a fixed shape that
log collectors index, the request id comes from a context variable the library does not know,
and a dozen lines need no dependency to track.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from apps.core.requestid import current_request_id


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON; non-JSON values in `extra` are shown as text."""

    # Attributes every LogRecord has; anything else was passed in `extra` and is kept.
    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
        "message",
        "asctime",
        "request",
        "server_time",
    }

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        for name, value in vars(record).items():
            if name not in self._STANDARD and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _request_id(record: logging.LogRecord) -> str:
    """The record's own request id, its request's (Django logs a response after the middleware
    returned), else the one of the request or task this thread serves."""
    own = getattr(record, "request_id", "") or getattr(
        getattr(record, "request", None), "request_id", ""
    )
    return str(own) or current_request_id.get()
