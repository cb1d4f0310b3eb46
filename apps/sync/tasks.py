"""Celery housekeeping for sync runs."""

from __future__ import annotations

from celery import shared_task

from apps.sync import services

RUN_RETENTION_DAYS = 30


@shared_task
def sync_runs_prune_task() -> int:
    """Delete sync runs older than the retention, keeping the last run per Auth Tenant and kind."""
    return services.sync_runs_prune(older_than_days=RUN_RETENTION_DAYS)
