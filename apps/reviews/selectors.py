"""Reads for access reviews: the grants a campaign snapshots, the queue, progress, the report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet

from apps.activity.models import ActivityChainHead, ActivityEvent
from apps.core import hashchain
from apps.core.capabilities import Capability, can, role_of
from apps.directory.models import DirectoryAccess, DirectoryTenant
from apps.reviews.models import ApplyState, Decision, ReviewCampaign, ReviewItem, ReviewPlan
from apps.reviews.models import ScopeKind as Kind

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

# Items a reviewer still has to look at: decided ones may be changed until they are applied.
OPEN_DECISIONS = (Decision.UNDECIDED, Decision.KEEP, Decision.REMOVE, Decision.REDUCE)
QUEUE_ORDER = {
    "tenant": ("tenant_name", "member_email", "id"),
    "person": ("member_email", "tenant_name", "id"),
}


def _in_scope(plan: ReviewPlan, *, current_only: bool) -> QuerySet[DirectoryAccess]:
    """Access periods of current members on current tenants in the plan's scope."""
    periods = DirectoryAccess.objects.filter(
        auth_tenant_id=plan.auth_tenant_id,
        member__removed_at__isnull=True,
        tenant__removed_at__isnull=True,
    )
    if current_only:
        periods = periods.filter(removed_at__isnull=True)
    if plan.scope_kind == Kind.ENVIRONMENT:
        periods = periods.filter(tenant__environment_tag__iexact=plan.environment_tag)
    elif plan.scope_kind == Kind.CHOSEN:
        periods = periods.filter(tenant__tenant_id__in=plan.tenant_ids)
    return periods


def grants_in_scope(*, plan: ReviewPlan) -> QuerySet[DirectoryAccess]:
    """The plan's current grants in the mirror, by tenant then person."""
    return _in_scope(plan, current_only=True).order_by("tenant__tenant_name", "member__email")


def access_since(*, plan: ReviewPlan) -> dict[tuple[str, str], datetime]:
    """When each (member id, tenant id) grant's unbroken access began, from the directory history.

    A change of roles ends one period and starts the next at the same instant, so periods that
    meet are one access; a gap starts a new one.
    """
    periods = (
        _in_scope(plan, current_only=False)
        .order_by("member__member_id", "tenant__tenant_id", "first_seen_at")
        .values_list("member__member_id", "tenant__tenant_id", "first_seen_at", "removed_at")
    )
    since: dict[tuple[str, str], datetime] = {}
    ended: dict[tuple[str, str], datetime | None] = {}
    for member_id, tenant_id, start, end in periods:
        key = (member_id, tenant_id)
        previous_end = ended.get(key)
        if key not in since or (previous_end is not None and previous_end < start):
            since[key] = start
        ended[key] = end
    return since


def last_active(*, auth_tenant_id: int, member_ids: Iterable[str]) -> dict[str, datetime]:
    """Each member's newest event in the activity log, for those the log shows at all."""
    rows = (
        ActivityEvent.objects.filter(auth_tenant_id=auth_tenant_id, actor_id__in=list(member_ids))
        .order_by()
        .values("actor_id")
        .annotate(last=Max("created_at"))
    )
    return {row["actor_id"]: row["last"] for row in rows}


def current_pairs(*, auth_tenant_id: int, member_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(member id, tenant id) of every grant the mirror holds now, for these members."""
    rows = DirectoryAccess.objects.filter(
        auth_tenant_id=auth_tenant_id,
        removed_at__isnull=True,
        member__member_id__in=list(member_ids),
    ).values_list("member__member_id", "tenant__tenant_id")
    return set(rows)


def environment_tags(*, auth_tenant: AuthTenant) -> list[str]:
    """The environment tags of the mirror's current tenants, for the scope's choices."""
    tags = (
        DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
        .exclude(environment_tag="")
        .order_by("environment_tag")
        .values_list("environment_tag", flat=True)
        .distinct()
    )
    return list(tags)


@dataclass(frozen=True)
class Progress:
    total: int
    decided: int
    counts: dict[str, int]

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.total) if self.total else 100


def progress(*, campaign: ReviewCampaign) -> Progress:
    """Items per decision, in one GROUP BY."""
    rows = campaign.items.order_by().values("decision").annotate(n=Count("id"))
    counts = {row["decision"]: row["n"] for row in rows}
    total = sum(counts.values())
    return Progress(total, total - counts.get(Decision.UNDECIDED, 0), counts)


def progress_by_reviewer(*, campaign: ReviewCampaign) -> list[tuple[str, int]]:
    """How many items each reviewer decided (items closed or defaulted name nobody)."""
    rows = (
        campaign.items.exclude(decided_by_username="")
        .order_by()
        .values("decided_by_username")
        .annotate(n=Count("id"))
        .order_by("-n", "decided_by_username")
    )
    return [(row["decided_by_username"], row["n"]) for row in rows]


def campaign_list(*, auth_tenant: AuthTenant) -> QuerySet[ReviewCampaign]:
    """The Auth Tenant's campaigns, newest first, with their item counts in the same query."""
    return (
        ReviewCampaign.objects.filter(plan__auth_tenant=auth_tenant)
        .select_related("plan")
        .annotate(
            total=Count("items"),
            undecided=Count("items", filter=Q(items__decision=Decision.UNDECIDED)),
        )
        .order_by("-opened_at", "-pk")
    )


def campaign_get(*, auth_tenant: AuthTenant, pk: int) -> ReviewCampaign | None:
    return (
        ReviewCampaign.objects.filter(plan__auth_tenant=auth_tenant, pk=pk)
        .select_related("plan")
        .first()
    )


# The queue's "show" choices: which decisions each lists (all: no filter).
QUEUE_SHOWS = {"pending": Decision.UNDECIDED, "flagged": Decision.FLAGGED}


def queue(*, campaign: ReviewCampaign, group: str, show: str) -> QuerySet[ReviewItem]:
    """The campaign's items in the grouping's order, those not decided or flagged or all."""
    items = campaign.items.order_by(*QUEUE_ORDER.get(group, QUEUE_ORDER["tenant"]))
    if show in QUEUE_SHOWS:
        items = items.filter(decision=QUEUE_SHOWS[show])
    return items


def is_reviewer(user: Any, campaign: ReviewCampaign) -> bool:
    """Whether the user may decide the campaign's items: their role is one of its reviewers'."""
    role = role_of(user)
    return (
        can(user, Capability.REVIEW_ACCESS)
        and role is not None
        and role.value in campaign.plan.reviewer_roles
    )


def activity_head(*, auth_tenant_id: int) -> str:
    """The hash of the Auth Tenant's last stored activity event, now (GENESIS before any)."""
    head = ActivityChainHead.objects.filter(auth_tenant_id=auth_tenant_id).first()
    return head.hash if head is not None else hashchain.GENESIS


@dataclass(frozen=True)
class Reminder:
    campaign: ReviewCampaign
    undecided: int


def reminders(*, user: Any) -> list[Reminder]:
    """Open campaigns the user reviews that still hold undecided items, soonest due first."""
    if not can(user, Capability.REVIEW_ACCESS):
        return []
    campaigns = (
        ReviewCampaign.objects.filter(closed_at__isnull=True)
        .select_related("plan")
        .annotate(undecided=Count("items", filter=Q(items__decision=Decision.UNDECIDED)))
        .filter(undecided__gt=0)
        .order_by("due_at", "pk")
    )
    return [Reminder(c, c.undecided) for c in campaigns if is_reviewer(user, c)]


def to_apply(*, campaign: ReviewCampaign) -> QuerySet[ReviewItem]:
    """Removals and reductions not confirmed done yet."""
    return campaign.items.filter(
        decision__in=(Decision.REMOVE, Decision.REDUCE),
        apply_state__in=(ApplyState.NONE, ApplyState.PENDING, ApplyState.FAILED),
    ).order_by("member_id", "tenant_name", "pk")
