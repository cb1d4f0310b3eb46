"""Reads for the sync status page: per Auth Tenant, the last good run, freshness, live and failed runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from apps.authtenants.models import AuthTenant
from apps.sync.models import SyncKind, SyncRun, SyncStatus

RECENT_FAILURES = 5


@dataclass(frozen=True)
class RunningRun:
    """A run in progress with its throughput so far."""

    run: SyncRun
    rate_per_second: float


@dataclass(frozen=True)
class KindStatus:
    """Where one kind of sync (activity or directory) stands for one Auth Tenant."""

    kind: str
    label: str
    last_success: SyncRun | None

    @property
    def fresh_as_of(self) -> datetime | None:
        return self.last_success.started_at if self.last_success else None


@dataclass(frozen=True)
class AuthTenantSyncStatus:
    """Everything the status page shows for one Auth Tenant."""

    auth_tenant: AuthTenant
    kinds: list[KindStatus]
    running: list[RunningRun]
    failures: list[SyncRun]


def sync_run_list(*, auth_tenant: AuthTenant) -> QuerySet[SyncRun]:
    """The Auth Tenant's runs, newest first."""
    return SyncRun.objects.filter(auth_tenant=auth_tenant).order_by("-started_at", "-pk")


def running_runs(*, auth_tenant: AuthTenant) -> list[RunningRun]:
    """Runs in progress for the Auth Tenant, with events (or rows) per second so far."""
    result = []
    for run in sync_run_list(auth_tenant=auth_tenant).filter(status=SyncStatus.RUNNING):
        elapsed = ((run.heartbeat_at or timezone.now()) - run.started_at).total_seconds()
        stored = run.events_created + run.events_present
        result.append(RunningRun(run=run, rate_per_second=stored / elapsed if elapsed > 0 else 0.0))
    return result


def sync_status_get(*, auth_tenant: AuthTenant) -> AuthTenantSyncStatus:
    """The status page's view of one Auth Tenant."""
    runs = sync_run_list(auth_tenant=auth_tenant)
    return AuthTenantSyncStatus(
        auth_tenant=auth_tenant,
        kinds=[sync_kind_status(auth_tenant=auth_tenant, kind=kind) for kind in SyncKind],
        running=running_runs(auth_tenant=auth_tenant),
        failures=list(runs.filter(status=SyncStatus.FAILED)[:RECENT_FAILURES]),
    )


def sync_kind_status(*, auth_tenant: AuthTenant, kind: SyncKind) -> KindStatus:
    """Where one kind of sync stands for the Auth Tenant: its last successful run."""
    runs = sync_run_list(auth_tenant=auth_tenant)
    return KindStatus(
        kind=kind.value,
        label=kind.label,
        last_success=runs.filter(kind=kind, status=SyncStatus.SUCCEEDED).first(),
    )


def sync_status_list() -> list[AuthTenantSyncStatus]:
    """The status of every Auth Tenant, by name."""
    return [sync_status_get(auth_tenant=t) for t in AuthTenant.objects.order_by("name")]
