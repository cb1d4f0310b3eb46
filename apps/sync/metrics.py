"""Sync freshness and connection health as Prometheus gauges, read from the database per scrape.

Computed when scraped, so every web process answers the same whichever worker ran the sync.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Max, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from apps.authtenants.models import AuthTenant, HealthState
from apps.sync.models import SyncRun, SyncStatus


class SyncCollector:
    """teamsadmin_sync_* per Auth Tenant and kind; teamsadmin_auth_tenant_* per Auth Tenant."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        info = GaugeMetricFamily(
            "teamsadmin_auth_tenant_info",
            "Each configured Auth Tenant: its id (the auth_tenant label elsewhere) and name.",
            labels=["auth_tenant", "name", "enabled"],
        )
        health = GaugeMetricFamily(
            "teamsadmin_auth_tenant_health",
            "1 for the Auth Tenant's current connection state, 0 for the others.",
            labels=["auth_tenant", "state"],
        )
        for pk, name, enabled, state in AuthTenant.objects.values_list(
            "pk", "name", "enabled", "health_state"
        ):
            info.add_metric([str(pk), name, str(enabled).lower()], 1.0)
            for choice in HealthState.values:
                health.add_metric([str(pk), choice], 1.0 if choice == state else 0.0)
        yield info
        yield health

        lag = GaugeMetricFamily(
            "teamsadmin_sync_lag_seconds",
            "Seconds since the start of the last successful sync (how old the local copy is).",
            labels=["auth_tenant", "kind"],
        )
        last = GaugeMetricFamily(
            "teamsadmin_sync_last_success_timestamp_seconds",
            "Unix time the last successful sync finished.",
            labels=["auth_tenant", "kind"],
        )
        succeeded = Q(status=SyncStatus.SUCCEEDED)
        rows = SyncRun.objects.values("auth_tenant", "kind").annotate(
            started=Max("started_at", filter=succeeded),
            finished=Max("finished_at", filter=succeeded),
        )
        for row in rows.order_by("auth_tenant", "kind"):
            if row["started"] is None or row["finished"] is None:
                continue  # never succeeded: no figure, so an alert on absence can fire
            labels = [str(row["auth_tenant"]), row["kind"]]
            lag.add_metric(labels, max(0.0, (now - row["started"]).total_seconds()))
            last.add_metric(labels, row["finished"].timestamp())
        yield lag
        yield last
