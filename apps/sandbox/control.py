"""Sandbox-only controls, callable in-process (tests share the live server's DB) and over HTTP."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.sandbox import faults, seeding
from apps.sandbox.members import accept_invitation_row
from apps.sandbox.models import (
    SandboxInvitation,
    SandboxMember,
    SandboxRequest,
    SandboxTeam,
    SandboxTenant,
)

# The largest number a control may store: what every integer column holds (PostgreSQL's integer).
INT_LIMIT = 2**31 - 1


class ControlError(Exception):
    """A control call that cannot be carried out (unknown team, no such invitation)."""


def reset() -> None:
    """Remove every sandbox row and clear faults and rate-limit state."""
    seeding.reset()


# Seeding and clients are the same in-process, over HTTP and from `manage.py sandbox_seed`.
seed = seeding.seed
ensure_client = seeding.ensure_client


def get_faults() -> dict[str, Any]:
    return faults.current().as_dict()


def set_faults(**switches: Any) -> dict[str, Any]:
    """Turn fault switches on or change them; raises ValueError for unknown or bad values."""
    for name, value in switches.items():
        _refuse_out_of_range(name, value)
    return faults.set_faults(**switches)


def _refuse_out_of_range(name: str, value: Any) -> None:
    """A number (or numeric text) no integer column holds is refused before it reaches one."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return  # not a whole number at all: the switch's own check says what it must be
    if abs(number) > INT_LIMIT:
        raise ValueError(f"{name} must be between {-INT_LIMIT} and {INT_LIMIT}")


def clear_faults() -> dict[str, Any]:
    """Turn every fault switch off."""
    return faults.clear_faults()


def _team(team_slug: str) -> SandboxTeam:
    team = SandboxTeam.objects.filter(slug=team_slug).first()
    if team is None:
        raise ControlError(f"unknown team: {team_slug}")
    return team


def accept_invitation(*, team_slug: str, email: str) -> SandboxMember:
    """Accept the pending invitation of email: it becomes a member with its tenant roles."""
    invitation = (
        SandboxInvitation.objects.filter(team=_team(team_slug), email__iexact=email)
        .select_related("team")
        .first()
    )
    if invitation is None:
        raise ControlError(f"no pending invitation for {email}")
    return accept_invitation_row(invitation)


def requests_log(
    *, path_contains: str | None = None, client_id: str | None = None, method: str | None = None
) -> list[SandboxRequest]:
    """Requests the sandbox served, oldest first, optionally filtered."""
    rows: QuerySet[SandboxRequest] = SandboxRequest.objects.order_by("id")
    if path_contains is not None:
        rows = rows.filter(path__contains=path_contains)
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    if method is not None:
        rows = rows.filter(method=method.upper())
    return list(rows)


def clear_requests_log() -> None:
    SandboxRequest.objects.all().delete()


def add_activity(
    *,
    team_slug: str,
    count: int,
    created_at: datetime | None = None,
    seed: int | None = None,
    days: int = 90,
) -> int:
    """Append count entries (all at created_at when given, else spread over the last days)."""
    team = _team(team_slug)
    rng = random.Random(seed)  # noqa: S311
    members = list(SandboxMember.objects.filter(team=team).order_by("member_id"))
    tenants = list(SandboxTenant.objects.filter(team=team).order_by("tenant_id"))
    return seeding.insert_activity(
        team=team,
        count=count,
        rng=rng,
        now=timezone.now(),
        members=members,
        tenants=tenants,
        created_at=created_at,
        days=days,
    )
