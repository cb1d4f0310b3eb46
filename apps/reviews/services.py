"""Access review writes: create a plan and open its campaigns, decide items, close at the due date.

Opening a campaign snapshots the grants in scope into items, so reviewers decide about a fixed
list while the directory keeps changing. Applying the decisions lives in apps/reviews/applying.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from smtplib import SMTPException
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_record
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.reviews import selectors
from apps.reviews.models import (
    Decision,
    DueDefault,
    ItemKind,
    Recurrence,
    ReviewCampaign,
    ReviewItem,
    ReviewPlan,
    TenantReviewer,
)
from apps.reviews.periods import period_start
from apps.teamsapi.contract import TeamRole, role_label

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.authtenants.models import AuthTenant

logger = logging.getLogger(__name__)

CLOSED_ON_ITS_OWN = "The access ended on its own after the snapshot."
ALREADY_CLOSED = "This review is already closed."
NEEDS_JUSTIFICATION = "Say in a few words why the access should be removed or reduced."


def audit_review(
    *,
    actor: Any,
    campaign: ReviewCampaign,
    action: AuditAction,
    parameters: Mapping[str, Any],
    request: HttpRequest | None = None,
    **outcome: Any,
) -> AuditEntry:
    """A dashboard action about the campaign, its parameters naming it (`outcome`: the outcome
    and message of a partial or failed one)."""
    return audit_record(
        actor=actor,
        auth_tenant=campaign.plan.auth_tenant,
        action=action,
        target_type="review",
        target_id=str(campaign.pk),
        target_label=str(campaign),
        parameters={"review_campaign": str(campaign), **parameters},
        request=request,
        **outcome,
    )


@dataclass(frozen=True)
class PlanRequest:
    """What the create form asked for."""

    name: str
    scope_kind: str
    environment_tag: str = ""
    tenant_ids: Sequence[str] = ()
    include_team_roles: bool = False
    reviewer_roles: Sequence[str] = ("owner", "auditor")
    # A tenant's own reviewer (tenant id → user pk); the reviewer roles review the rest.
    tenant_reviewers: Mapping[str, int] = field(default_factory=dict)
    due_days: int = 14
    recurrence: str = Recurrence.NONE
    due_default: str = DueDefault.KEEP
    apply_on_close: bool = False


def plan_create(
    *,
    actor: Any,
    auth_tenant: AuthTenant,
    plan: PlanRequest,
    request: HttpRequest | None = None,
) -> ReviewCampaign:
    """Save the plan and open its first campaign now; owners only."""
    require(actor, Capability.CREATE_REVIEWS)
    reviewers = _checked_reviewers(plan.reviewer_roles, plan.tenant_reviewers)
    now = timezone.now()
    with transaction.atomic():
        saved = ReviewPlan.objects.create(
            auth_tenant=auth_tenant,
            name=plan.name,
            scope_kind=plan.scope_kind,
            environment_tag=plan.environment_tag,
            tenant_ids=list(plan.tenant_ids),
            include_team_roles=plan.include_team_roles,
            reviewer_roles=list(plan.reviewer_roles),
            due_days=plan.due_days,
            recurrence=plan.recurrence,
            due_default=plan.due_default,
            apply_on_close=plan.apply_on_close,
            created_by=actor,
            created_by_username=actor.get_username(),
            created_at=now,
        )
        _name_tenant_reviewers(saved, reviewers)
        campaign = _create(saved, period_start(saved.recurrence, timezone.localdate(now)), now)
        audit_review(
            actor=actor,
            campaign=campaign,
            action=AuditAction.REVIEW_CREATE,
            parameters={
                "scope": saved.get_scope_kind_display(),
                "environment_tag": saved.environment_tag,
                "tenant_ids": saved.tenant_ids,
                "team_roles": saved.include_team_roles,
                "reviewers": saved.reviewer_roles,
                "tenant_reviewers": {t: u.get_username() for t, u in reviewers.items()},
                "recurrence": saved.get_recurrence_display(),
                "due_at": campaign.due_at,
                "if_not_reviewed": saved.get_due_default_display(),
                "apply_on_close": saved.apply_on_close,
                "items": campaign.items.count(),
            },
            request=request,
        )
    return campaign


def _checked_reviewers(roles: Sequence[str], chosen: Mapping[str, int]) -> dict[str, Any]:
    """The users named as tenants' own reviewers, by tenant id; refuses a plan without reviewer
    roles (they review the rest) and anyone named who may not review access."""
    if not roles:
        message = "Choose who reviews the items without a reviewer of their own."
        raise ServiceError(message, field_errors={"reviewer_roles": [message]})
    if not chosen:
        return {}
    users = selectors.able_reviewers(user_ids=set(chosen.values()))
    if any(pk not in users for pk in chosen.values()):
        message = "Only owners and auditors of the dashboard can review a tenant's access."
        raise ServiceError(message, field_errors={"tenant_reviewers": [message]})
    return {tenant_id: users[pk] for tenant_id, pk in chosen.items()}


def _name_tenant_reviewers(plan: ReviewPlan, reviewers: Mapping[str, Any]) -> None:
    plan.tenant_reviewers.all().delete()
    TenantReviewer.objects.bulk_create(
        TenantReviewer(plan=plan, tenant_id=tenant_id, reviewer=reviewer)
        for tenant_id, reviewer in reviewers.items()
    )


def plan_reviewers_change(
    *,
    actor: Any,
    campaign: ReviewCampaign,
    reviewer_roles: Sequence[str],
    tenant_reviewers: Mapping[str, int],
    request: HttpRequest | None = None,
) -> int:
    """Name the plan's reviewers anew, for the campaigns it opens from now on and for its open
    ones, whose items not applied yet move to the new reviewers; owners only. Returns how many
    items moved."""
    require(actor, Capability.CREATE_REVIEWS)
    reviewers = _checked_reviewers(reviewer_roles, tenant_reviewers)
    plan = campaign.plan
    with transaction.atomic():
        ReviewPlan.objects.filter(pk=plan.pk).update(reviewer_roles=list(reviewer_roles))
        plan.reviewer_roles = list(reviewer_roles)
        _name_tenant_reviewers(plan, reviewers)
        moved = _reassign(plan, reviewers)
        audit_review(
            actor=actor,
            campaign=campaign,
            action=AuditAction.REVIEW_REVIEWERS,
            parameters={
                "reviewers": plan.reviewer_roles,
                "tenant_reviewers": {t: u.get_username() for t, u in reviewers.items()},
                "items_moved": moved,
            },
            request=request,
        )
    return moved


def _reassign(plan: ReviewPlan, reviewers: Mapping[str, Any]) -> int:
    """Give the open campaigns' undecided or changeable tenant items their tenant's reviewer
    (none: the reviewer roles); how many changed hands. One UPDATE per reviewer."""
    items = ReviewItem.objects.filter(
        campaign__plan=plan,
        campaign__closed_at__isnull=True,
        kind=ItemKind.TENANT,
        decision__in=selectors.OPEN_DECISIONS,
        apply_state="",
    )
    by_reviewer: dict[Any, list[str]] = {}
    for tenant_id, reviewer in reviewers.items():
        by_reviewer.setdefault(reviewer, []).append(tenant_id)
    moved = 0
    for reviewer, tenant_ids in by_reviewer.items():
        moved += (
            items.filter(tenant_id__in=tenant_ids)
            .exclude(reviewer=reviewer)
            .update(reviewer=reviewer, reviewer_username=reviewer.get_username())
        )
    unassigned = items.exclude(tenant_id__in=list(reviewers)).filter(reviewer__isnull=False)
    return moved + unassigned.update(reviewer=None, reviewer_username="")


def _open(plan: ReviewPlan, start: date, now: datetime) -> ReviewCampaign | None:
    """Open the plan's campaign for the period starting `start`, with its snapshot; None when
    that period's campaign exists (the unique constraint decides a race between two callers)."""
    if ReviewCampaign.objects.filter(plan=plan, period_start=start).exists():
        return None
    try:
        with transaction.atomic():
            return _create(plan, start, now)
    except IntegrityError:
        return None


def _create(plan: ReviewPlan, start: date, now: datetime) -> ReviewCampaign:
    campaign = ReviewCampaign.objects.create(
        plan=plan, period_start=start, opened_at=now, due_at=now + timedelta(days=plan.due_days)
    )
    ReviewItem.objects.bulk_create(_snapshot(campaign), batch_size=500)
    return campaign


def _snapshot(campaign: ReviewCampaign) -> list[ReviewItem]:
    """An item for every grant in scope: who, where, which roles, since when, last active; and,
    when the plan says so, one for each member's team role."""
    plan = campaign.plan
    grants = list(
        selectors.grants_in_scope(plan=plan).values(
            "member__member_id",
            "member__email",
            "member__name",
            "member__role",
            "tenant__tenant_id",
            "tenant__tenant_name",
            "tenant__environment_tag",
            "roles",
            "first_seen_at",
        )
    )
    members = list(
        selectors.team_roles_in_scope(plan=plan).values(
            "member_id", "email", "name", "role", "first_seen_at"
        )
    )
    since = selectors.access_since(plan=plan)
    reviewers = selectors.tenant_reviewers(plan=plan)
    active = selectors.last_active(
        auth_tenant_id=plan.auth_tenant_id,
        member_ids={g["member__member_id"] for g in grants} | {m["member_id"] for m in members},
    )
    team = [
        ReviewItem(
            campaign=campaign,
            kind=ItemKind.TEAM,
            member_id=m["member_id"],
            member_email=m["email"],
            member_name=m["name"],
            team_role=m["role"],
            roles=[m["role"]] if m["role"] else [],
            since=m["first_seen_at"],
            last_active=active.get(m["member_id"]),
        )
        for m in members
    ]
    return team + [
        ReviewItem(
            campaign=campaign,
            member_id=g["member__member_id"],
            member_email=g["member__email"],
            member_name=g["member__name"],
            team_role=g["member__role"],
            tenant_id=g["tenant__tenant_id"],
            tenant_name=g["tenant__tenant_name"],
            environment_tag=g["tenant__environment_tag"],
            roles=sorted(g["roles"]),
            since=since.get((g["member__member_id"], g["tenant__tenant_id"]), g["first_seen_at"]),
            last_active=active.get(g["member__member_id"]),
            reviewer=reviewers.get(g["tenant__tenant_id"]),
            reviewer_username=_username(reviewers.get(g["tenant__tenant_id"])),
        )
        for g in grants
    ]


def _username(user: Any) -> str:
    return user.get_username() if user is not None else ""


def campaigns_open_due(*, now: datetime | None = None) -> list[ReviewCampaign]:
    """Open this period's campaign of every recurring plan that has none yet (beat, hourly)."""
    now = now or timezone.now()
    opened = []
    plans = ReviewPlan.objects.exclude(recurrence=Recurrence.NONE).filter(
        auth_tenant__enabled=True, stopped_at__isnull=True
    )
    for plan in plans:
        campaign = _open(plan, period_start(plan.recurrence, timezone.localdate(now)), now)
        if campaign is not None:
            logger.info("access review opened", extra={"campaign": campaign.pk})
            opened.append(campaign)
    return opened


def plan_stop(
    *, actor: Any, campaign: ReviewCampaign, request: HttpRequest | None = None
) -> ReviewPlan:
    """Stop the campaign's plan from opening further campaigns; owners only. The campaigns it
    opened, this one included, carry on to their due dates."""
    require(actor, Capability.CREATE_REVIEWS)
    plan = campaign.plan
    with transaction.atomic():
        stopped = ReviewPlan.objects.filter(pk=plan.pk, stopped_at__isnull=True).exclude(
            recurrence=Recurrence.NONE
        )
        now = timezone.now()
        if not stopped.update(stopped_at=now, stopped_by_username=actor.get_username()):
            raise ServiceError(f"“{plan}” does not repeat (any more); nothing to stop.")
        audit_review(
            actor=actor,
            campaign=campaign,
            action=AuditAction.REVIEW_STOP,
            parameters={
                "recurrence": plan.get_recurrence_display(),
            },
            request=request,
        )
    plan.stopped_at, plan.stopped_by_username = now, actor.get_username()
    return plan


@dataclass
class DecideResult:
    decided: int = 0
    closed: int = 0
    refused: list[str] = field(default_factory=list)


def items_decide(
    *,
    actor: Any,
    campaign: ReviewCampaign,
    item_ids: Sequence[int],
    decision: str,
    roles: Sequence[str] = (),
    team_role: str = "",
    justification: str = "",
    request: HttpRequest | None = None,
) -> DecideResult:
    """Keep, remove or reduce the chosen items: each item's reviewers while the campaign is open,
    then owners for the items flagged for them at the due date. A reduction keeps `roles` of a
    tenant's access, or changes a team role to `team_role`.

    Items whose access ended on their own since the snapshot are closed instead, with that reason.
    """
    decidable, theirs = _decidable(actor, campaign)
    _check_decision(decision, roles, team_role, justification)
    now = timezone.now()
    result = DecideResult()
    with transaction.atomic():
        items = list(
            campaign.items.select_for_update()
            .filter(theirs, pk__in=item_ids, decision__in=decidable, apply_state="")
            .order_by("pk")
        )
        if not items:
            raise ServiceError(
                "Choose at least one item that is still open for you to review"
                + ("." if campaign.is_open else ": once it is closed, only flagged items are.")
            )
        result.closed = _close_vanished(campaign, items, now)
        change = _Change(decision, roles, team_role, justification.strip()[:500], actor, now)
        for item in items:
            if item.decision == Decision.CLOSED:
                continue
            refusal = change.apply(item)
            if refusal:
                result.refused.append(refusal)
            else:
                result.decided += 1
        audit_review(
            actor=actor,
            campaign=campaign,
            action=AuditAction.REVIEW_DECIDE,
            parameters={
                "decision": Decision(decision).label,
                "roles": list(roles),
                "team_role": team_role,
                "justification": justification,
                "items": [i.pk for i in items],
                "decided": result.decided,
                "closed_on_their_own": result.closed,
            },
            request=request,
        )
    return result


def _decidable(actor: Any, campaign: ReviewCampaign) -> tuple[Sequence[str], Q]:
    """The decisions the actor may still change, and on which items; refuses otherwise."""
    require(actor, Capability.REVIEW_ACCESS)
    if not campaign.is_open:
        require(actor, Capability.APPLY_REVIEWS)
        return (Decision.FLAGGED,), Q()
    reviews = selectors.reviews_of(actor, campaign)
    if not selectors.is_reviewer(actor, campaign, reviews):
        raise PermissionDenied("You are not one of this review's reviewers.")
    return selectors.OPEN_DECISIONS, reviews.items()


def _check_decision(
    decision: str, roles: Sequence[str], team_role: str, justification: str
) -> None:
    if decision not in (Decision.KEEP, Decision.REMOVE, Decision.REDUCE):
        raise ServiceError("Choose keep, remove or reduce.")
    if decision != Decision.KEEP and not justification.strip():
        raise ServiceError(
            NEEDS_JUSTIFICATION, field_errors={"justification": [NEEDS_JUSTIFICATION]}
        )
    if decision == Decision.REDUCE and not roles and not team_role:
        message = "Choose the roles to keep, or the team role to change to."
        raise ServiceError(message, field_errors={"roles": [message]})


@dataclass(frozen=True)
class _Change:
    """One decision, as recorded on each chosen item."""

    decision: str
    roles: Sequence[str]
    team_role: str
    justification: str
    actor: Any
    now: datetime

    def apply(self, item: ReviewItem) -> str:
        """Record the decision on the item; a refusal in words when a reduction does not fit."""
        reduce_to: list[str] = []
        if self.decision == Decision.REDUCE:
            reduce_to = self._reduce_to(item)
            if not reduce_to:
                return self._refusal(item)
        item.decision = self.decision
        item.reduce_to = reduce_to
        item.justification = self.justification
        item.decided_by = self.actor
        item.decided_by_username = self.actor.get_username()
        item.decided_at = self.now
        item.save(
            update_fields=[
                "decision",
                "reduce_to",
                "justification",
                "decided_by",
                "decided_by_username",
                "decided_at",
            ]
        )
        return ""

    def _reduce_to(self, item: ReviewItem) -> list[str]:
        """The roles a reduction leaves; none when it would not take anything away."""
        if item.is_team_role:
            wanted = self.team_role
            fits = wanted and wanted != TeamRole.OWNER and wanted not in item.roles
            return [wanted] if fits else []
        kept = sorted(set(self.roles) & set(item.roles))
        return kept if kept and kept != sorted(item.roles) else []

    def _refusal(self, item: ReviewItem) -> str:
        if item.is_team_role:
            if not self.team_role:
                return f"{item}: choose the team role to change to, so it was left as it was."
            return (
                f"{item}: {role_label(self.team_role)} is not a smaller role than the one held, "
                "so it was left as it was."
            )
        return (
            f"{item}: the roles chosen are not a smaller set of the roles held, so it was left "
            "as it was."
        )


def _close_vanished(campaign: ReviewCampaign, items: list[ReviewItem], now: datetime) -> int:
    """Close the items whose access the mirror no longer holds; how many were closed."""
    current = selectors.current_pairs(
        auth_tenant_id=campaign.plan.auth_tenant_id, member_ids={i.member_id for i in items}
    )
    gone = [i for i in items if (i.member_id, i.tenant_id) not in current]
    for item in gone:
        item.decision = Decision.CLOSED
        item.justification = CLOSED_ON_ITS_OWN
        item.decided_by = None
        item.decided_by_username = ""
        item.decided_at = now
    ReviewItem.objects.bulk_update(
        gone, ["decision", "justification", "decided_by", "decided_by_username", "decided_at"]
    )
    return len(gone)


def items_reconcile(*, campaign: ReviewCampaign) -> int:
    """Close every open item whose access ended on its own; how many were closed."""
    with transaction.atomic():
        items = list(
            campaign.items.select_for_update().filter(
                decision__in=(*selectors.OPEN_DECISIONS, Decision.FLAGGED), apply_state=""
            )
        )
        return _close_vanished(campaign, items, timezone.now())


def campaigns_reconcile() -> int:
    """Close the items of every open campaign whose access ended on its own (beat, hourly), so
    reviewers find them closed without deciding first; how many were closed."""
    return sum(
        items_reconcile(campaign=campaign)
        for campaign in ReviewCampaign.objects.filter(closed_at__isnull=True).select_related("plan")
    )


# What an undecided item becomes at the due date, and the reason the report gives.
_DEFAULTS = {
    DueDefault.KEEP: (Decision.KEEP, "Not reviewed by the due date: kept, as the review said."),
    DueDefault.FLAG: (Decision.FLAGGED, "Not reviewed by the due date: flagged for an owner."),
    DueDefault.REMOVE: (
        Decision.REMOVE,
        "Not reviewed by the due date: to be removed, as the review's owner chose.",
    ),
}


def campaign_close(
    *, actor: Any, campaign: ReviewCampaign, request: HttpRequest | None = None
) -> ReviewCampaign:
    """Close the campaign: vanished grants closed, undecided items take the default, the
    archive heads recorded. `actor` None is the due date passing (beat); else owners only."""
    if actor is not None:
        require(actor, Capability.APPLY_REVIEWS)
    if not campaign.is_open:
        raise ServiceError(ALREADY_CLOSED)
    items_reconcile(campaign=campaign)
    now = timezone.now()
    decision, reason = _DEFAULTS[DueDefault(campaign.plan.due_default)]
    with transaction.atomic():
        # Locked and read again: two beats (or a beat and an owner) close it once.
        locked = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.closed_at is not None:
            raise ServiceError(ALREADY_CLOSED)
        defaulted = campaign.items.filter(decision=Decision.UNDECIDED).update(
            decision=decision, justification=reason, decided_at=now
        )
        closing = audit_review(
            actor=actor,
            campaign=campaign,
            action=AuditAction.REVIEW_CLOSE,
            parameters={"not_reviewed": defaulted},
            request=request,
        )
        campaign.closed_at = now
        campaign.activity_chain_head = selectors.activity_head(
            auth_tenant_id=campaign.plan.auth_tenant_id
        )
        campaign.audit_chain_head = closing.chain_hash  # the closing entry is the chain's head
        campaign.save(update_fields=["closed_at", "activity_chain_head", "audit_chain_head"])
    return campaign


def campaigns_close_due(*, now: datetime | None = None) -> list[ReviewCampaign]:
    """Close every open campaign past its due date (beat, hourly)."""
    now = now or timezone.now()
    closed = []
    for campaign in ReviewCampaign.objects.filter(closed_at__isnull=True, due_at__lte=now):
        try:
            closed.append(campaign_close(actor=None, campaign=campaign))
        except ServiceError:
            continue  # another beat closed it first
    return closed


def reminders_send() -> int:
    """Email each reviewer of an open campaign how many of their items wait and when they are
    due; how many messages were sent. A failing mail server is logged, never raised."""
    sent = 0
    campaigns = ReviewCampaign.objects.filter(closed_at__isnull=True).select_related("plan")
    for campaign in campaigns:
        for user, waiting in selectors.waiting_by_reviewer(campaign=campaign).items():
            sent += _remind(campaign, user.email, waiting)
    return sent


def _remind(campaign: ReviewCampaign, email: str, waiting: int) -> int:
    """Send one reminder; 1 when it went, 0 when the mail server refused it."""
    body = (
        f"{waiting} item{'s' if waiting != 1 else ''} of the access review {campaign} "
        f"wait for your decision. The review is due on {campaign.due_at:%Y-%m-%d %H:%M} UTC.\n"
        f"Open it at {reverse('reviews:queue', args=[campaign.pk])}?show=mine in Teams Admin."
    )
    try:
        send_mail(
            f"[Teams Admin] Access review due: {campaign}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    except (OSError, SMTPException) as exc:
        logger.error("review reminder not sent (%s)", type(exc).__name__)
        return 0
    return 1
