"""Reads for access reviews: the grants a campaign snapshots, the queue, progress, the report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet

from apps.accounts.roles import with_roles
from apps.activity.models import ActivityChainHead, ActivityEvent
from apps.core import hashchain
from apps.core.capabilities import Capability, Role, can, role_of
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.reviews.models import (
    ApplyState,
    Decision,
    ReviewCampaign,
    ReviewItem,
    ReviewPlan,
)
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


def team_roles_in_scope(*, plan: ReviewPlan) -> QuerySet[DirectoryMember]:
    """The team's current members with their team role, when the plan reviews team roles."""
    if not plan.include_team_roles:
        return DirectoryMember.objects.none()
    return DirectoryMember.objects.filter(
        auth_tenant_id=plan.auth_tenant_id, removed_at__isnull=True
    ).order_by("email", "member_id")


def able_reviewers(*, user_ids: Iterable[int]) -> dict[int, Any]:
    """The users among `user_ids` who may review access (active, their role allowing it), by
    pk in username order, each with their role read along (one query)."""
    model = get_user_model()
    users = with_roles(model.objects.filter(pk__in=list(user_ids)).order_by(model.USERNAME_FIELD))
    return {user.pk: user for user in users if can(user, Capability.REVIEW_ACCESS)}


def tenant_reviewers(*, plan: ReviewPlan) -> dict[str, Any]:
    """Each tenant's own reviewer (a user who may still review access), by tenant id."""
    named = tenant_reviewer_ids(plan=plan)
    able = able_reviewers(user_ids=set(named.values()))
    return {tenant_id: able[pk] for tenant_id, pk in named.items() if pk in able}


def tenant_reviewer_ids(*, plan: ReviewPlan) -> dict[str, int]:
    """Each tenant's own reviewer as named on the plan (tenant id → user pk), for its form."""
    return dict(plan.tenant_reviewers.values_list("tenant_id", "reviewer_id"))


def reviewer_choices() -> list[tuple[str, str]]:
    """Dashboard users who may review access, as (pk, username) for a per-tenant pick."""
    users = get_user_model().objects.filter(is_active=True, groups__name__in=list(Role))
    able = able_reviewers(user_ids=users.values_list("pk", flat=True))
    return [(str(user.pk), user.get_username()) for user in able.values()]


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
    """(member id, tenant id) of every grant the mirror holds now, for these members, and
    (member id, "") for each of them still in the team: the key of a team-role item."""
    ids = list(member_ids)
    rows = DirectoryAccess.objects.filter(
        auth_tenant_id=auth_tenant_id, removed_at__isnull=True, member__member_id__in=ids
    ).values_list("member__member_id", "tenant__tenant_id")
    members = DirectoryMember.objects.filter(
        auth_tenant_id=auth_tenant_id, removed_at__isnull=True, member_id__in=ids
    ).values_list("member_id", flat=True)
    return set(rows) | {(member_id, "") for member_id in members}


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


# The queue's "show" choices: which decisions each lists (all: no filter; mine: see queue()).
QUEUE_SHOWS = {"pending": Decision.UNDECIDED, "flagged": Decision.FLAGGED}


@dataclass(frozen=True)
class Reviews:
    """Which of a campaign's items a user reviews: those of the tenants they were named for, and,
    when their dashboard role is one of the plan's reviewer roles, every item without its own
    reviewer or whose reviewer may no longer review (left, or lost their role)."""

    user_pk: int | None
    by_role: bool
    orphaned: frozenset[int] = frozenset()

    def items(self) -> Q:
        if self.user_pk is None:
            return Q(pk__in=[])
        own = Q(reviewer_id=self.user_pk)
        if not self.by_role:
            return own
        return own | Q(reviewer__isnull=True) | Q(reviewer_id__in=self.orphaned)

    def covers(self, item: ReviewItem) -> bool:
        if self.user_pk is None:
            return False
        if item.reviewer_id == self.user_pk:
            return True
        return self.by_role and (item.reviewer_id is None or item.reviewer_id in self.orphaned)


def reviews_of(user: Any, campaign: ReviewCampaign) -> Reviews:
    """Which of the campaign's items the user reviews (see Reviews)."""
    if not can(user, Capability.REVIEW_ACCESS):
        return Reviews(None, by_role=False)
    if not _reviews_by_role(user, campaign):
        return Reviews(user.pk, by_role=False)
    return Reviews(user.pk, by_role=True, orphaned=_orphaned(campaign))


def _reviews_by_role(user: Any, campaign: ReviewCampaign) -> bool:
    """Whether the user's dashboard role is one of the plan's reviewer roles."""
    role = role_of(user)
    return role is not None and role.value in campaign.plan.reviewer_roles


def _orphaned(campaign: ReviewCampaign) -> frozenset[int]:
    """The campaign's own reviewers who may no longer review access (two queries)."""
    reviewers = campaign.items.exclude(reviewer=None).order_by()
    named = set(reviewers.values_list("reviewer_id", flat=True).distinct())
    return frozenset(named - able_reviewers(user_ids=named).keys())


def queue(
    *, campaign: ReviewCampaign, group: str, show: str, reviews: Reviews
) -> QuerySet[ReviewItem]:
    """The campaign's items in the grouping's order: those not decided, flagged, waiting for
    the user (not decided and theirs to review) or all."""
    items = campaign.items.order_by(*QUEUE_ORDER.get(group, QUEUE_ORDER["tenant"]))
    if show == "mine":
        return items.filter(reviews.items(), decision=Decision.UNDECIDED)
    if show in QUEUE_SHOWS:
        items = items.filter(decision=QUEUE_SHOWS[show])
    return items


def choosable(items: Iterable[ReviewItem], reviews: Reviews, *, settling: bool) -> set[int]:
    """The items the user may tick, as items_decide takes them: flagged ones for an owner
    settling a closed review, else the open ones not applied yet that they review."""
    if settling:
        return {item.pk for item in items if item.decision == Decision.FLAGGED}
    return {
        item.pk
        for item in items
        if item.decision in OPEN_DECISIONS and not item.apply_state and reviews.covers(item)
    }


def is_reviewer(user: Any, campaign: ReviewCampaign, reviews: Reviews | None = None) -> bool:
    """Whether the user may decide any of the campaign's items (`reviews`: theirs, if known)."""
    reviews = reviews or reviews_of(user, campaign)
    if reviews.by_role:
        return True
    return reviews.user_pk is not None and campaign.items.filter(reviews.items()).exists()


def reviewer_progress(*, campaign: ReviewCampaign) -> list[tuple[str, int, int]]:
    """(reviewer, decided, items) for each tenant's own reviewer, by name."""
    rows = (
        campaign.items.exclude(reviewer_username="")
        .order_by()
        .values("reviewer_username")
        .annotate(total=Count("id"), decided=Count("id", filter=~Q(decision=Decision.UNDECIDED)))
        .order_by("reviewer_username")
    )
    return [(row["reviewer_username"], row["decided"], row["total"]) for row in rows]


def activity_head(*, auth_tenant_id: int) -> str:
    """The hash of the Auth Tenant's last stored activity event, now (GENESIS before any)."""
    head = ActivityChainHead.objects.filter(auth_tenant_id=auth_tenant_id).first()
    return head.hash if head is not None else hashchain.GENESIS


@dataclass(frozen=True)
class Reminder:
    campaign: ReviewCampaign
    undecided: int


def reminders(*, user: Any) -> list[Reminder]:
    """Open campaigns with undecided items the user reviews, soonest due first."""
    if not can(user, Capability.REVIEW_ACCESS):
        return []
    waiting = Q(items__decision=Decision.UNDECIDED)
    campaigns = (
        ReviewCampaign.objects.filter(closed_at__isnull=True)
        .select_related("plan")
        .annotate(
            own=Count("items", filter=waiting & Q(items__reviewer_id=user.pk)),
            assigned=Count("items", filter=waiting & Q(items__reviewer__isnull=False)),
            unassigned=Count("items", filter=waiting & Q(items__reviewer__isnull=True)),
        )
        .filter(Q(assigned__gt=0) | Q(unassigned__gt=0))
        .order_by("due_at", "pk")
    )
    found = []
    for campaign in campaigns:
        count = campaign.own
        if _reviews_by_role(user, campaign):
            count += campaign.unassigned
            if campaign.assigned > campaign.own:  # some may belong to reviewers who left
                count += (
                    _waiting(campaign)
                    .filter(reviewer_id__in=reviews_of(user, campaign).orphaned)
                    .count()
                )
        if count:
            found.append(Reminder(campaign, count))
    return found


def _waiting(campaign: ReviewCampaign) -> QuerySet[ReviewItem]:
    return campaign.items.filter(decision=Decision.UNDECIDED).order_by()


def waiting_by_reviewer(*, campaign: ReviewCampaign) -> dict[Any, int]:
    """Each active user with an email address and undecided items to review in the campaign,
    with how many wait for them (their tenants' items and, by role, those without a reviewer)."""
    assigned = _waiting(campaign).exclude(reviewer__isnull=True).values("reviewer_id")
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    candidates = users.filter(
        Q(pk__in=assigned) | Q(groups__name__in=campaign.plan.reviewer_roles)
    ).distinct()
    counts: dict[Any, int] = {}
    for user in candidates:
        count = _waiting(campaign).filter(reviews_of(user, campaign).items()).count()
        if count:
            counts[user] = count
    return counts


def to_apply(*, campaign: ReviewCampaign) -> QuerySet[ReviewItem]:
    """Removals and reductions not confirmed done yet."""
    return campaign.items.filter(
        decision__in=(Decision.REMOVE, Decision.REDUCE),
        apply_state__in=(ApplyState.NONE, ApplyState.PENDING, ApplyState.FAILED),
    ).order_by("member_id", "tenant_name", "pk")
