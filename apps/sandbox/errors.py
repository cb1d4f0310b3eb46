"""ApiError and the JSON responses every sandbox endpoint builds."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse, QueryDict

from apps.sandbox import contract


class ApiError(Exception):
    """A Teams API failure that becomes an ErrorBody (§9.1)."""

    def __init__(self, status: int, type: str, title: str | None = None, details: str = "") -> None:
        super().__init__(f"{status} {type}")
        self.status = status
        self.type = type
        self.title = title or contract.TITLES.get(type, type)
        self.details = details

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "type": self.type, "title": self.title}
        if self.details:
            body["details"] = self.details
        return body


def holds_nul(*values: str) -> bool:
    """True when any value carries a NUL character, which no database column can store."""
    return any("\x00" in value for value in values)


def every_value(data: QueryDict) -> list[str]:
    """Each value of a query string or form, repeated names included."""
    return [value for _, values in data.lists() for value in values]


def validation_error(details: str) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", details=details)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, separators=(",", ":")), status=status, content_type="application/json"
    )


def error_response(error: ApiError) -> HttpResponse:
    return json_response(error.body(), status=error.status)


def no_content() -> HttpResponse:
    return HttpResponse(status=204)
