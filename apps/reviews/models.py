"""Access reviews: a plan (scope, reviewers, due date, recurrence), the campaigns it opens (one
per period), and each campaign's fixed list of grants with the decision taken on each."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Recurrence(models.TextChoices):
    NONE = "none", "Once"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Half-yearly"


class ScopeKind(models.TextChoices):
    ALL = "all", "All tenants"
    ENVIRONMENT = "environment", "Tenants with an environment tag"
    CHOSEN = "chosen", "Chosen tenants"


class DueDefault(models.TextChoices):
    """What happens to an item nobody decided by the due date."""

    KEEP = "keep", "Keep the access"
    FLAG = "flag", "Flag it for an owner"
    REMOVE = "remove", "Remove the access (remove if not reviewed)"


class ItemKind(models.TextChoices):
    TENANT = "tenant", "Tenant access"
    TEAM = "team", "Team role"


class ReviewPlan(models.Model):
    """What an owner asked for: which grants, who reviews, when it is due and how often."""

    auth_tenant = models.ForeignKey(
        "authtenants.AuthTenant", on_delete=models.CASCADE, related_name="review_plans"
    )
    name = models.CharField(max_length=120)
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices)
    environment_tag = models.CharField(max_length=32, blank=True)
    tenant_ids = models.JSONField(default=list, blank=True)
    include_team_roles = models.BooleanField(default=False)
    # Dashboard role values (owner, auditor): they review every item without its own reviewer.
    reviewer_roles = models.JSONField(default=list)
    due_days = models.PositiveSmallIntegerField()
    recurrence = models.CharField(max_length=16, choices=Recurrence.choices)
    due_default = models.CharField(max_length=16, choices=DueDefault.choices)
    apply_on_close = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_username = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    # A recurring plan an owner stopped opens no more campaigns; those opened stay as they are.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def repeats(self) -> bool:
        return self.recurrence != Recurrence.NONE and self.stopped_at is None


class TenantReviewer(models.Model):
    """The dashboard user who reviews one tenant's access in the plan's campaigns."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="tenant_reviewers")
    tenant_id = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "tenant_id"], name="review_tenant_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.tenant_id}"


class ReviewCampaign(models.Model):
    """One period's review of a plan; opening it snapshots the grants into items."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="campaigns")
    period_start = models.DateField()
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)  # every decision confirmed done
    # Set while decisions are being sent, so a second apply (an owner and beat's retry) waits.
    applying_since = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The archive chains' heads at closing, so the report can be checked against them later.
    activity_chain_head = models.CharField(max_length=64, blank=True)
    audit_chain_head = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # Beat may fire twice (two beat processes, a restarted worker): one campaign a period.
            models.UniqueConstraint(fields=["plan", "period_start"], name="review_campaign_period")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(closed_at__isnull=True), name="review_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} ({self.period_start:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Decision(models.TextChoices):
    UNDECIDED = "undecided", "Not decided"
    KEEP = "keep", "Keep"
    REMOVE = "remove", "Remove"
    REDUCE = "reduce", "Reduce roles"
    FLAGGED = "flagged", "Flagged for an owner"
    CLOSED = "closed", "Closed on its own"


class ApplyState(models.TextChoices):
    NONE = "", "Nothing to apply"
    PENDING = "pending", "Waiting"
    DONE = "done", "Done"
    FAILED = "failed", "Failed, will retry"


class ReviewItem(models.Model):
    """One grant (a tenant's access, or a team role) as it stood when the campaign opened, and
    what was decided about it. A team-role item has no tenant: its roles hold the team role."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=ItemKind.choices, default=ItemKind.TENANT)
    member_id = models.CharField(max_length=1024)
    member_email = models.CharField(max_length=320, blank=True)
    member_name = models.CharField(max_length=512, blank=True)
    team_role = models.CharField(max_length=64, blank=True)
    tenant_id = models.CharField(max_length=64)
    tenant_name = models.CharField(max_length=64)
    environment_tag = models.CharField(max_length=32, blank=True)
    roles = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    last_active = models.DateTimeField(null=True, blank=True)
    # The tenant's own reviewer, when the plan names one; else the plan's reviewer roles decide.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewer_username = models.CharField(max_length=150, blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.UNDECIDED)
    reduce_to = models.JSONField(default=list, blank=True)
    justification = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_username = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    apply_state = models.CharField(
        max_length=16, choices=ApplyState.choices, default=ApplyState.NONE, blank=True
    )
    apply_result = models.CharField(max_length=500, blank=True)
    apply_attempts = models.PositiveSmallIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_name", "member_email", "pk"]
        indexes = [
            # The queue, in either grouping, one page at a time.
            models.Index(
                fields=["campaign", "tenant_name", "member_email", "id"], name="review_by_tenant"
            ),
            models.Index(
                fields=["campaign", "member_email", "tenant_name", "id"], name="review_by_person"
            ),
            models.Index(fields=["campaign", "decision"], name="review_decision"),
            models.Index(fields=["campaign", "reviewer", "decision"], name="review_by_reviewer"),
        ]

    def __str__(self) -> str:
        if self.kind == ItemKind.TEAM:
            return f"{self.member_email or self.member_id}'s team role"
        return f"{self.member_email or self.member_id} on {self.tenant_name}"

    @property
    def is_team_role(self) -> bool:
        return self.kind == ItemKind.TEAM
