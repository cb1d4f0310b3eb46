"""Bulk invitations: one job per uploaded list, one row per line with where it got to."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BulkInvite(models.Model):
    """A list of invitations checked at upload and sent line by line by a background job.

    `lease_until` is held by the worker sending it and renewed per row, so a redelivered job
    waits for a killed worker's lease to lapse instead of sending beside a live one.
    """

    class State(models.TextChoices):
        PREVIEW = "preview", "Checked, not sent"
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Sending"
        DONE = "done", "Finished"

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="bulk_invites"
    )
    source = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by_username = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"bulk invite {self.pk} ({self.get_state_display()})"


class BulkInviteRow(models.Model):
    """One line of a bulk invite: what it asks for, and whether it was refused, sent or failed.

    A row is claimed (state "sending", committed) before its API call and marked sent in the
    transaction that records the invitation, so a crash leaves at most the rows in "sending"
    whose fate must be looked up before anything is sent again.
    """

    class State(models.TextChoices):
        INVALID = "invalid", "Not sent: fix the line"
        READY = "ready", "Ready to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(BulkInvite, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    email = models.CharField(max_length=320)
    team_role = models.CharField(max_length=64, blank=True)
    tenants_text = models.CharField(max_length=2000, blank=True)
    tenant_ids = models.JSONField(default=list, blank=True)
    tenant_roles = models.JSONField(default=list, blank=True)
    client_ids = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=State.choices)
    message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    invitation = models.ForeignKey(
        "directory.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["job", "line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line"], name="members_bulk_row_line_unique")
        ]
        indexes = [models.Index(fields=["job", "state", "line"], name="members_bulk_row_state")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.email} ({self.get_state_display()})"
