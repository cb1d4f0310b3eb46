"""Checkpoint cursors (§8): opaque, keyed on (sort key, id), bound to the filters they came from."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from django.http import HttpRequest

from apps.sandbox import contract
from apps.sandbox.errors import validation_error


def filter_hash(endpoint: str, filters: dict[str, Any]) -> str:
    canonical = json.dumps([endpoint, filters], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(key: str | None, last_id: str | None, fhash: str) -> str:
    raw = json.dumps({"k": key, "id": last_id, "f": fhash}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def decode(cursor: str, fhash: str) -> tuple[str | None, str | None]:
    """Return (sort key, last id); (None, None) means the first page."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise validation_error("from: invalid cursor") from exc
    if not isinstance(data, dict) or set(data) != {"k", "id", "f"}:
        raise validation_error("from: invalid cursor")
    if data["f"] != fhash:
        raise validation_error("from: cursor does not match the query filters")
    key, last_id = data["k"], data["id"]
    if not (key is None or isinstance(key, str)) or not (
        last_id is None or isinstance(last_id, str)
    ):
        raise validation_error("from: invalid cursor")
    return key, last_id


def take(request: HttpRequest) -> int:
    raw = request.GET.get("take")
    if raw is None:
        return contract.TAKE_DEFAULT
    try:
        value = int(raw)
    except ValueError as exc:
        raise validation_error("take must be an integer") from exc
    if str(value) != raw.strip().lstrip("+") and raw.strip() != str(value):
        raise validation_error("take must be an integer")
    if not contract.TAKE_MIN <= value <= contract.TAKE_MAX:
        raise validation_error(f"take must be between {contract.TAKE_MIN} and {contract.TAKE_MAX}")
    return value


def cursor_arg(request: HttpRequest) -> str | None:
    raw = request.GET.get("from")
    if raw is None:
        return None
    if not raw:
        raise validation_error("from: invalid cursor")
    return raw
