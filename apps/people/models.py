"""Offboarding jobs: one person taken out of every team, one recorded step per team or invitation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OffboardJob(models.Model):
    """An owner's request to remove one person (by email) from every configured team.

    The actor's username is a snapshot, so the record still reads right after the user goes.
    """

    email = models.CharField(max_length=320)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"offboarding of {self.email}"


class OffboardStep(models.Model):
    """One thing an offboarding job does: remove a membership, or withdraw one pending invitation.

    Its state is committed as it changes, so a worker that restarts finds done steps done and
    checks a step left in progress before acting again.
    """

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", "Team membership and tenant access"
        INVITATION = "invitation", "Pending invitation"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    job = models.ForeignKey(OffboardJob, on_delete=models.CASCADE, related_name="steps")
    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    auth_tenant_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    member_id = models.CharField(max_length=1024, blank=True)
    invitation = models.ForeignKey(
        "directory.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["auth_tenant_name", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.auth_tenant_name} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        """Still to be done (waiting or being done)."""
        return self.state in (self.State.PENDING, self.State.IN_PROGRESS)
