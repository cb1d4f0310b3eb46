"""Helpers for the activity sync tests."""

from __future__ import annotations

from dataclasses import dataclass

from apps.activity.models import ActivityCheckpoint, ActivityEvent
from apps.authtenants.models import AuthTenant
from apps.sandbox.models import SandboxActivity

ACTIVITY_PATH = "/api/activity/logs"


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
