"""Dashboard actions: what each dashboard user did to the team through Teams Admin, and how it went."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from apps.core.hashchain import ChainHead


class AuditAction(models.TextChoices):
    """What was done; new actions are added here with the label people read."""

    TENANT_CREATE = "tenant_create", "Create tenant"
    TENANT_DELETE = "tenant_delete", "Delete tenant"
    MEMBER_INVITE = "member_invite", "Invite member"
    BULK_INVITE = "bulk_invite", "Send bulk invite"
    MEMBER_ROLE_CHANGE = "member_role_change", "Change team role"
    MEMBER_REMOVE = "member_remove", "Remove member"
    INVITATION_RESEND = "invitation_resend", "Resend invitation"
    INVITATION_WITHDRAW = "invitation_withdraw", "Withdraw invitation"
    OFFBOARD_START = "offboard_start", "Start offboarding"
    OFFBOARD_RETRY = "offboard_retry", "Retry offboarding step"
    TENANT_ACCESS_GRANT = "tenant_access_grant", "Grant tenant access"
    TENANT_ACCESS_CHANGE = "tenant_access_change", "Change tenant roles"
    TENANT_ACCESS_REVOKE = "tenant_access_revoke", "Revoke tenant access"
    TENANT_ACCESS_EXPIRE = "tenant_access_expire", "End time-boxed access"
    TENANT_ACCESS_EXTEND = "tenant_access_extend", "Change when access ends"
    TENANT_ACCESS_PERMANENT = "tenant_access_permanent", "Make access permanent"
    TENANT_ACCESS_COPY = "tenant_access_copy", "Copy a colleague's access"
    EXPORT_ACTIVITY = "export_activity", "Export activity"
    EXPORT_AUDIT = "export_audit", "Export dashboard actions"
    SSO_ROLE_SET = "sso_role_set", "Set role from single sign-on"
    SSO_SIGN_IN = "sso_sign_in", "Sign in with single sign-on"
    SIGN_IN = "sign_in", "Sign in"
    SIGN_OUT = "sign_out", "Sign out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    REVIEW_CREATE = "review_create", "Create access review"
    REVIEW_DECIDE = "review_decide", "Decide access review items"
    REVIEW_CLOSE = "review_close", "Close access review"
    REVIEW_APPLY = "review_apply", "Apply access review decisions"
    REVIEW_STOP = "review_stop", "Stop repeating access review"
    REVIEW_REVIEWERS = "review_reviewers", "Change access review reviewers"
    EXPORT_REVIEW = "export_review", "Export access review report"


# Signing in to the dashboard: no Auth Tenant, no Auth0 event, and for failures nobody signed in.
SIGN_IN_ACTIONS = frozenset(
    {
        AuditAction.SIGN_IN,
        AuditAction.SIGN_OUT,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.LOCKED_OUT,
        AuditAction.SSO_SIGN_IN,
        AuditAction.SSO_ROLE_SET,
    }
)


class AuditOutcome(models.TextChoices):
    """How the action went: partial is a bulk call where some tenants failed."""

    SUCCESS = "success", "Succeeded"
    PARTIAL = "partial", "Partly succeeded"
    FAILURE = "failure", "Failed"


class AuditEntry(models.Model):
    """One action taken through the dashboard ("Dashboard actions"), kept even when it failed.

    The actor's username and the Auth Tenant's name are snapshots, so the record still reads
    right after the user or the Auth Tenant is deleted. `parameters` never holds secrets.
    """

    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    auth_tenant_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=1024, blank=True)
    target_label = models.CharField(max_length=320, blank=True)
    parameters = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    message = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # The archive chain (apps/audit/chain.py): one per Auth Tenant, keyed by its id when the
    # entry was written (0: none), so entries stay in their chain after the Auth Tenant goes.
    chain_key = models.PositiveBigIntegerField(default=0)
    chain_seq = models.PositiveBigIntegerField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "dashboard action"
        constraints = [
            models.UniqueConstraint(
                fields=["chain_key", "chain_seq"], name="audit_entry_unique_chain_seq"
            )
        ]
        indexes = [
            # Newest first per Auth Tenant, paged by id (keyset): the page's one query.
            models.Index(fields=["auth_tenant", "-id"], name="audit_entry_tenant_newest"),
            models.Index(fields=["actor_username", "-id"], name="audit_entry_actor_newest"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_action_display()} by {self.actor_username} ({self.get_outcome_display()})"
        )

    @property
    def is_sign_in(self) -> bool:
        """A sign-in, sign-out, failed sign-in or lockout (see SIGN_IN_ACTIONS)."""
        return self.action in SIGN_IN_ACTIONS


class AuditChainHead(ChainHead):
    """The last link of one dashboard-action chain; writers lock this row to append."""

    chain_key = models.PositiveBigIntegerField(unique=True)

    def __str__(self) -> str:
        return f"dashboard-action chain {self.chain_key} at {self.seq}"
