"""Time-boxed tenant access: when a member's access to a tenant ends on its own."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AccessExpiry(models.Model):
    """The end of one member's access to one tenant; the scheduled revoke removes it then.

    The row goes once the access is gone (removed at the end, by hand, or elsewhere); audit
    entries keep the history. `claimed_until` lets one worker at a time send the revoke, and
    `retry_at` holds a failed revoke back until its backoff has passed.
    """

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="access_expiries"
    )
    member_id = models.CharField(max_length=1024)
    tenant_id = models.CharField(max_length=64)
    ends_at = models.DateTimeField()
    set_by_username = models.CharField(max_length=150, blank=True)
    set_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["ends_at", "pk"]
        verbose_name = "access end"
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "member_id", "tenant_id"], name="access_expiry_unique"
            )
        ]
        indexes = [models.Index(fields=["ends_at"], name="access_expiry_due")]

    def __str__(self) -> str:
        return f"access of {self.member_id} to {self.tenant_id} ends {self.ends_at}"
