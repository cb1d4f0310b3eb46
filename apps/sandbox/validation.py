"""Request-body and parameter validation shared by the Teams API handlers (§6)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

from apps.sandbox import contract
from apps.sandbox.errors import validation_error

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def json_body(
    request: HttpRequest, *, allowed: Iterable[str], required: Iterable[str]
) -> dict[str, Any]:
    """Parse a JSON object body; unknown fields are refused (additionalProperties: false)."""
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise validation_error("Body must be a JSON object") from exc
    if not isinstance(data, dict):
        raise validation_error("Body must be a JSON object")
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise validation_error(f"Unknown field(s): {', '.join(extra)}")
    missing = [name for name in required if name not in data]
    if missing:
        raise validation_error(f"Missing required field(s): {', '.join(missing)}")
    return data


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def email(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not EMAIL_RE.match(value) or len(value) > 254:
        raise validation_error(f"{name} must be an email address")
    return value


def enum(value: Any, name: str, allowed: Iterable[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise validation_error(f"{name} must be one of: {', '.join(allowed)}")
    return value


def string_list(
    data: dict[str, Any], name: str, *, min_items: int = 0, max_items: int | None = None
) -> list[str]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise validation_error(f"{name} must be an array of strings")
    if len(value) < min_items:
        raise validation_error(f"{name} must hold at least {min_items} item(s)")
    if max_items is not None and len(value) > max_items:
        raise validation_error(f"{name} must hold at most {max_items} item(s)")
    return value


def uuid_list(
    data: dict[str, Any], name: str, *, min_items: int = 0, max_items: int | None = None
) -> list[str]:
    values = string_list(data, name, min_items=min_items, max_items=max_items)
    if not all(is_uuid(value) for value in values):
        raise validation_error(f"{name} must hold UUIDs")
    return values


def role_list(data: dict[str, Any], name: str, *, min_items: int = 0) -> list[str]:
    values = string_list(data, name, min_items=min_items)
    for value in values:
        enum(value, name, contract.TENANT_ROLES)
    return values


def client_id_list(data: dict[str, Any], name: str) -> list[str]:
    values = string_list(data, name)
    if not all(contract.CLIENT_ID_RE.match(value) for value in values):
        raise validation_error(f"{name} must hold client ids of 5-50 characters")
    return values


def roles_and_clients(roles: list[str], client_ids: list[str]) -> None:
    """editor-specific-apps needs client_ids; client_ids need editor-specific-apps (§5.1 #6-8)."""
    has_specific = contract.SPECIFIC_APPS_ROLE in roles
    if has_specific and not client_ids:
        raise validation_error(f"{contract.SPECIFIC_APPS_ROLE} requires client_ids")
    if client_ids and not has_specific:
        raise validation_error(f"client_ids are only allowed with {contract.SPECIFIC_APPS_ROLE}")


def datetime_param(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise validation_error(f"{name} {contract.DATETIME_DETAIL}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-14:00 lies past year 9999 in UTC
        raise validation_error(f"{name} {contract.DATETIME_DETAIL}") from exc


def iso(value: datetime) -> str:
    """UTC with Z and milliseconds (§3)."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )
