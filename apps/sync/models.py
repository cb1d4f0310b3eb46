"""Sync bookkeeping: one SyncRun row per run and one lease-based SyncLock per Auth Tenant and kind."""

from __future__ import annotations

from django.db import models


class SyncKind(models.TextChoices):
    ACTIVITY = "activity", "Activity log"
    DIRECTORY = "directory", "Directory"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class SyncRun(models.Model):
    """One attempt to copy an Auth Tenant's activity log or directory into the local database.

    Progress counters are committed page by page, so a running row shows live progress and a
    row left `running` by a killed worker still tells how far it got.
    """

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="sync_runs"
    )
    kind = models.CharField(max_length=16, choices=SyncKind.choices)
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    full = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    pages_fetched = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)
    events_created = models.PositiveIntegerField(default=0)
    events_present = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_removed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(
                fields=["auth_tenant", "kind", "-started_at"], name="sync_run_tenant_kind"
            ),
            models.Index(fields=["status"], name="sync_run_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SyncLock(models.Model):
    """A lease that lets one worker at a time sync an Auth Tenant's activity or directory.

    Claimed with a conditional UPDATE (works the same on SQLite and PostgreSQL); the holder
    renews `expires_at` on every page, so a worker killed with SIGKILL frees it after one lease.
    """

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="sync_locks"
    )
    kind = models.CharField(max_length=16, choices=SyncKind.choices)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["auth_tenant", "kind"], name="sync_lock_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} lock of Auth Tenant {self.auth_tenant_id}"
