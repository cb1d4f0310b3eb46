"""Helpers for the activity tests: sync comparisons and a small stored log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from apps.activity.models import ActivityCheckpoint, ActivityEvent
from apps.authtenants.models import AuthTenant
from apps.sandbox.models import SandboxActivity
from apps.teamsapi.types import ActivityLogEntry
from tests.factories import AuthTenantFactory

ACTIVITY_PATH = "/api/activity/logs"
MOMENT = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)


def entry(number: int, **fields: Any) -> ActivityLogEntry:
    """An activity entry as the API sends it, `number` seconds before MOMENT, awkward text included."""
    data = {
        "id": f"entry-{number}",
        "type": "tenant.create",
        "status": "Success",
        "current_event": "tenant.create",
        "created_at": (MOMENT - timedelta(seconds=number)).isoformat(),
        "actor": {"id": "auth0|1", "type": "user", "name": "Ada", "team_role": "owner"},
        "details": {"tenant": {"id": "t-1", "name": 'ünïcode "quoted"\ttab'}, "n": [1, 2]},
        "ip": "203.0.113.9",
        "hostname": "acme.teams.auth0.com",
        "user_agent": "Mozilla/5.0\\backslash",
        "version": "v1",
        **fields,
    }
    return ActivityLogEntry.from_api(data)


@dataclass(frozen=True)
class Comparison:
    local: int
    upstream: int
    missing: int
    extra: int
    duplicates: int


def compare(auth_tenant: AuthTenant, team_slug: str = "acme") -> Comparison:
    """Local activity ids versus the sandbox's."""
    local = list(
        ActivityEvent.objects.filter(auth_tenant=auth_tenant).values_list("external_id", flat=True)
    )
    upstream = set(
        SandboxActivity.objects.filter(team__slug=team_slug).values_list("id", flat=True)
    )
    return Comparison(
        local=len(local),
        upstream=len(upstream),
        missing=len(upstream - set(local)),
        extra=len(set(local) - upstream),
        duplicates=len(local) - len(set(local)),
    )


def assert_exact(auth_tenant: AuthTenant) -> None:
    result = compare(auth_tenant)
    assert result.missing == 0, result
    assert result.extra == 0, result
    assert result.duplicates == 0, result
    assert result.local == result.upstream, result


def checkpoint(auth_tenant: AuthTenant) -> ActivityCheckpoint:
    return ActivityCheckpoint.objects.get(auth_tenant=auth_tenant)


def assert_checkpoint_covered(auth_tenant: AuthTenant, team_slug: str = "acme") -> None:
    """The checkpoint claims nothing that is not stored: every upstream entry it has moved past
    (up to `since`, or newer than a walk's oldest stored entry) is in the local copy."""
    point = checkpoint(auth_tenant)
    stored = set(
        ActivityEvent.objects.filter(auth_tenant=auth_tenant).values_list("external_id", flat=True)
    )
    upstream = SandboxActivity.objects.filter(team__slug=team_slug).values_list("id", "created_at")
    for entry_id, created_at in upstream:
        sent = created_at.replace(microsecond=created_at.microsecond // 1000 * 1000)  # §3: ms
        finished = point.since is not None and sent <= point.since
        walked = (
            point.walk_oldest is not None
            and point.walk_until is not None
            and point.walk_oldest < sent < point.walk_until
            and (point.walk_since is None or sent >= point.walk_since)
        )
        assert entry_id in stored or not (finished or walked), (entry_id, sent, point)


BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def event(auth_tenant: AuthTenant, n: int, **fields: object) -> ActivityEvent:
    """A stored event n hours before BASE; `fields` override the defaults."""
    values: dict[str, object] = {
        "external_id": f"00000000-0000-4000-8000-{n:012d}",
        "type": "Team Member",
        "status": "Success",
        "current_event": "member_role_updated",
        "actor_id": "auth0|ada",
        "actor_type": "user",
        "actor_name": "Ada Lovelace",
        "ip": "203.0.113.7",
        "created_at": BASE - timedelta(hours=n),
        "details": {"member_id": f"auth0|m{n}"},
    }
    values.update(fields)
    return ActivityEvent.objects.create(auth_tenant=auth_tenant, **values)


@pytest.fixture
def log(db: None) -> AuthTenant:
    """Five events of Acme, one a month older and one holding spreadsheet formulas."""
    auth_tenant = AuthTenantFactory.create(name="Acme")
    event(auth_tenant, 1)
    event(
        auth_tenant,
        2,
        type="Tenant Activity",
        current_event="tenant_created",
        actor_name="deploy-bot",
        actor_type="machine",
    )
    event(auth_tenant, 3, status="Failure", current_event="member_deleted")
    event(
        auth_tenant, 30 * 24, current_event="member_invited", type="Team Invitation"
    )  # a month earlier
    event(auth_tenant, 4, current_event='=HYPERLINK("http://evil")', actor_name="+cmd")
    return auth_tenant
