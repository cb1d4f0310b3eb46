"""Fault switches stored in one DB row so every serving process sees the same faults."""

from __future__ import annotations

import random
from typing import Any

from django.db.models import F

from apps.sandbox.models import SandboxFaults

SWITCHES = (
    "latency_ms",
    "error_rate",
    "error_statuses",
    "rate_limit_burst",
    "rate_limit",
    "rate_limit_bucket",
    "rate_limit_window",
    "token_outage",
    "malformed",
    "token_lifetime_seconds",
    "duplicate_id_in_page",
    "looping_next",
    "id_token_fault",
)
ERROR_STATUSES = (500, 502, 503)
MALFORMED_KINDS = ("", "html", "truncated")
# Ways the token endpoint can spoil the ID tokens it issues, for the dashboard's checks to catch.
ID_TOKEN_FAULTS = (
    "",
    "wrong_nonce",
    "wrong_audience",
    "wrong_issuer",
    "expired",
    "future_iat",
    "bad_signature",
)


def current() -> SandboxFaults:
    faults, _ = SandboxFaults.objects.get_or_create(pk=1)
    return faults


def _validate(name: str, value: Any) -> Any:
    if name not in SWITCHES:
        raise ValueError(f"unknown fault switch: {name}")
    if name == "error_rate":
        rate = float(value)
        if not 0 <= rate <= 1:
            raise ValueError("error_rate must be between 0 and 1")
        return rate
    if name == "error_statuses":
        statuses = [int(s) for s in value]
        if any(s not in ERROR_STATUSES for s in statuses):
            raise ValueError("error_statuses must be among 500, 502, 503")
        return statuses
    if name == "malformed":
        kind = value or ""
        if kind not in MALFORMED_KINDS:
            raise ValueError('malformed must be "html", "truncated" or empty')
        return kind
    if name == "id_token_fault":
        kind = value or ""
        if kind not in ID_TOKEN_FAULTS:
            raise ValueError(
                f"id_token_fault must be one of {', '.join(ID_TOKEN_FAULTS[1:])} or empty"
            )
        return kind
    if name in ("token_outage", "duplicate_id_in_page", "looping_next"):
        return bool(value)
    if name == "rate_limit":
        return None if value is None else bool(value)
    if name in ("rate_limit_bucket", "rate_limit_window", "token_lifetime_seconds"):
        if value is None:
            return None
        if int(value) < 1:
            raise ValueError(f"{name} must be at least 1")
        return int(value)
    if int(value) < 0:
        raise ValueError(f"{name} must not be negative")
    return int(value)


def set_faults(**switches: Any) -> dict[str, Any]:
    """Change the named switches (others keep their values); raises ValueError on bad input."""
    cleaned = {name: _validate(name, value) for name, value in switches.items()}
    faults = current()
    for name, value in cleaned.items():
        setattr(faults, name, value)
    faults.save(update_fields=list(cleaned) or None)
    return faults.as_dict()


def clear_faults() -> dict[str, Any]:
    SandboxFaults.objects.filter(pk=1).delete()
    return current().as_dict()


def take_burst() -> bool:
    """Consume one of the pending forced 429s; True if this call must be refused."""
    return (
        SandboxFaults.objects.filter(pk=1, rate_limit_burst__gt=0).update(
            rate_limit_burst=F("rate_limit_burst") - 1
        )
        == 1
    )


def injected_status(faults: SandboxFaults) -> int | None:
    """Pick a 5xx for this call when the error-rate switch says so."""
    if faults.error_rate <= 0 or random.random() >= faults.error_rate:  # noqa: S311
        return None
    statuses: list[int] = [int(s) for s in faults.error_statuses] or list(ERROR_STATUSES)
    return random.choice(statuses)  # noqa: S311
