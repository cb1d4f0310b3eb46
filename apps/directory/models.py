"""The local mirror of each Auth Tenant's team: tenants, members and who can access which tenant."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone


class DirectorySnapshot(models.Model):
    """One completed full refresh of an Auth Tenant's directory, applied in one transaction."""

    class Strategy(models.TextChoices):
        PER_TENANT = "per_tenant", "Tenant members per tenant"
        PER_MEMBER = "per_member", "Member tenants per member and environment"

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="directory_snapshots"
    )
    taken_at = models.DateTimeField()
    strategy = models.CharField(max_length=16, choices=Strategy.choices)
    tenants = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    accesses = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        get_latest_by = "taken_at"
        indexes = [
            # Every list page shows the latest one; a sync every few minutes adds thousands a year.
            models.Index(
                fields=["auth_tenant", "-taken_at", "-id"], name="directory_snapshot_latest"
            )
        ]

    def __str__(self) -> str:
        return f"directory snapshot of Auth Tenant {self.auth_tenant_id} at {self.taken_at}"


class DirectoryTenant(models.Model):
    """A team tenant as last seen upstream; `removed_at` is set when it disappeared."""

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="directory_tenants"
    )
    tenant_id = models.CharField(max_length=64)
    tenant_name = models.CharField(max_length=64)
    environment = models.CharField(max_length=64, blank=True)
    environment_tag = models.CharField(max_length=32, blank=True)
    domain = models.CharField(max_length=255, blank=True)
    locality = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "tenant_id"], name="directory_tenant_unique"
            )
        ]
        indexes = [
            # The tenants list: current tenants in page order.
            models.Index(
                fields=["auth_tenant", "tenant_name", "tenant_id"],
                condition=models.Q(removed_at__isnull=True),
                name="directory_tenant_current",
            ),
            # The environment filter's choices, read from the index alone.
            models.Index(
                fields=["auth_tenant", "environment"],
                condition=models.Q(removed_at__isnull=True),
                name="directory_tenant_environment",
            ),
        ]

    def __str__(self) -> str:
        return self.tenant_name


class DirectoryMember(models.Model):
    """A team member (identity and team role) as last seen upstream."""

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="directory_members"
    )
    member_id = models.CharField(max_length=1024)
    name = models.CharField(max_length=512, blank=True)
    given_name = models.CharField(max_length=255, blank=True)
    family_name = models.CharField(max_length=255, blank=True)
    nickname = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=320, blank=True)
    role = models.CharField(max_length=64, blank=True)
    first_seen_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    # What the members search looks in, lowercased in one column the database keeps current:
    # one LIKE per row instead of four case-folded comparisons.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat("email", Value("\n"), "name", Value("\n"), "nickname", Value("\n"), "member_id")
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["email", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["auth_tenant", "member_id"], name="directory_member_unique"
            )
        ]
        indexes = [
            models.Index(fields=["auth_tenant", "email"], name="directory_member_email"),
            # The members list: current members in page order, and the role filter's choices.
            models.Index(
                fields=["auth_tenant", "email", "member_id"],
                condition=models.Q(removed_at__isnull=True),
                name="directory_member_current",
            ),
            models.Index(
                fields=["auth_tenant", "role"],
                condition=models.Q(removed_at__isnull=True),
                name="directory_member_role",
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.member_id


class DirectoryAccess(models.Model):
    """One period during which a member could access a tenant, with their tenant roles.

    A grant seen again after it was removed starts a new row, so past periods stay answerable.
    """

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="directory_accesses"
    )
    member = models.ForeignKey(DirectoryMember, on_delete=models.CASCADE, related_name="accesses")
    tenant = models.ForeignKey(DirectoryTenant, on_delete=models.CASCADE, related_name="accesses")
    roles = models.JSONField(default=list)
    first_seen_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant__tenant_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "tenant"],
                condition=models.Q(removed_at__isnull=True),
                name="directory_access_current_unique",
            )
        ]
        indexes = [
            models.Index(fields=["auth_tenant", "first_seen_at"], name="directory_access_period"),
            # The tenants list's member counts: counted from the index alone, not the table rows.
            models.Index(
                fields=["tenant"],
                condition=models.Q(removed_at__isnull=True),
                name="directory_access_tenant_now",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.tenant_id}"


class Invitation(models.Model):
    """An invitation sent from Teams Admin, kept locally until the invitee shows up as a member.

    Auth0 does not list invitations, so this ledger is the only record of who was invited, by
    whom and with which tenants; `resent_from` links a resend to the invitation it replaces.
    A pending invitation past the expiry limit reads as expired at once (`invitations.shown_state`)
    and a periodic task stores that state. `accepted_at` is when the email first appeared among
    the members; set on a withdrawn invitation, it means the person joined anyway (Auth0 cannot
    revoke an invitation).
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REPLACED = "replaced", "Replaced by a resend"

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.CharField(max_length=320)
    team_role = models.CharField(max_length=64)
    tenant_ids = models.JSONField(default=list, blank=True)
    tenant_roles = models.JSONField(default=list, blank=True)
    client_ids = models.JSONField(default=list, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by_username = models.CharField(max_length=150, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)
    api_invitation_id = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_by_username = models.CharField(max_length=150, blank=True)
    withdraw_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-invited_at", "-pk"]
        indexes = [
            models.Index("auth_tenant", Lower("email"), name="directory_invitation_email"),
            models.Index(
                fields=["auth_tenant", "state", "-invited_at"], name="directory_invitation_state"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} ({self.get_state_display()})"

    @property
    def expires_at(self) -> datetime:
        """When Auth0 is taken to stop honouring the emailed link (a guess; see the setting)."""
        return self.invited_at + timedelta(days=settings.TEAMSADMIN_INVITATION_EXPIRY_DAYS)

    @property
    def joined_after_withdrawal(self) -> bool:
        return self.state == self.State.WITHDRAWN and self.accepted_at is not None
