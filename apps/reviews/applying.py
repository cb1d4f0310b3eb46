"""Carry out a campaign's removals and reductions through the services of the member page.

Each member's tenant removals go in one revoke (and each set of reduced roles in one change);
the access services send them in batches of 10 tenants, each batch with its own audit entry
naming the campaign. Team roles come after the tenants: a removal from the team or a change of
team role, one call per item through the members services. Every item keeps its own result;
failed items are retried by beat until confirmed or until MAX_ATTEMPTS, after which an owner
sees them as failed in the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.access import services as access
from apps.access.results import AccessResult
from apps.audit.models import AuditAction, AuditOutcome
from apps.core.capabilities import Capability, can, require
from apps.core.errors import ServiceError
from apps.directory import selectors as directory
from apps.members import services as members
from apps.reviews import selectors, services
from apps.reviews.models import ApplyState, Decision, ItemKind, ReviewCampaign, ReviewItem

if TYPE_CHECKING:
    from django.http import HttpRequest

MAX_ATTEMPTS = 5
# An apply that died (a killed worker) frees the campaign after this long.
APPLY_LEASE = timedelta(minutes=10)
BUSY = "These decisions are being applied right now; reload the report in a minute."

Send = Callable[[list[str]], AccessResult]
Act = Callable[[ReviewItem], str]  # one team-role item's change; the result in words


@dataclass(frozen=True)
class ApplyResult:
    done: int
    failed: int

    @property
    def summary(self) -> str:
        if not self.done and not self.failed:
            return "There was nothing to apply: no removal or reduction is waiting."
        text = f"{self.done} decision{'s' if self.done != 1 else ''} applied"
        if self.failed:
            text += f"; {self.failed} failed and will be retried (see the report)"
        return text + "."


def campaign_apply(
    *, actor: Any, campaign: ReviewCampaign, request: HttpRequest | None = None
) -> ApplyResult:
    """Apply every removal and reduction not confirmed yet; owners only."""
    require(actor, Capability.APPLY_REVIEWS)
    if not _claim(campaign):
        raise ServiceError(BUSY)
    try:
        services.items_reconcile(campaign=campaign)
        items = list(selectors.to_apply(campaign=campaign))
        context = {"review_campaign": str(campaign), "review_campaign_id": campaign.pk}
        common = {"actor": actor, "auth_tenant": campaign.plan.auth_tenant, "request": request}
        tenants = [i for i in items if i.kind == ItemKind.TENANT]
        for group, send in _calls(tenants, context, common):
            _record(group, send)
        for item in items:
            if item.kind == ItemKind.TEAM:
                _record_one(item, partial(_team_change, context=context, **common))
    finally:
        ReviewCampaign.objects.filter(pk=campaign.pk).update(applying_since=None)
    done = sum(1 for i in items if i.apply_state == ApplyState.DONE)
    result = ApplyResult(done=done, failed=len(items) - done)
    _finish(actor, campaign, result, request)
    return result


def _claim(campaign: ReviewCampaign) -> bool:
    """Mark the campaign as being applied, unless another apply holds it (one UPDATE: atomic)."""
    now = timezone.now()
    free = Q(applying_since__isnull=True) | Q(applying_since__lt=now - APPLY_LEASE)
    return ReviewCampaign.objects.filter(free, pk=campaign.pk).update(applying_since=now) == 1


def _calls(
    items: list[ReviewItem], context: dict[str, Any], common: dict[str, Any]
) -> list[tuple[list[ReviewItem], Send]]:
    """One call per member and change: their removals together, each reduction set together."""
    groups: dict[tuple[str, str, tuple[str, ...]], list[ReviewItem]] = defaultdict(list)
    for item in items:
        groups[(item.member_id, item.decision, tuple(item.reduce_to))].append(item)
    calls: list[tuple[list[ReviewItem], Send]] = []
    for (member_id, decision, roles), group in groups.items():
        send: Send
        if decision == Decision.REMOVE:
            send = partial(_revoke, member_id=member_id, context=context, **common)
        else:
            send = partial(_change, member_id=member_id, roles=roles, context=context, **common)
        calls.append((group, send))
    return calls


def _revoke(tenant_ids: list[str], *, member_id: str, context: Any, **common: Any) -> AccessResult:
    return access.tenant_access_revoke(
        member_id=member_id, tenant_ids=tenant_ids, audit_context=context, **common
    )


def _change(
    tenant_ids: list[str], *, member_id: str, roles: tuple[str, ...], context: Any, **common: Any
) -> AccessResult:
    return access.tenant_access_change(
        member_id=member_id,
        tenant_ids=tenant_ids,
        roles=list(roles),
        audit_context=context,
        **common,
    )


def _team_change(item: ReviewItem, *, context: Any, **common: Any) -> str:
    """Remove the member from the team, or change their team role; the result in words."""
    if item.decision == Decision.REMOVE:
        removal = members.member_remove(member_id=item.member_id, audit_context=context, **common)
        return "Done; Auth0 no longer had this member" if removal.already_gone else "Done"
    role = item.reduce_to[0]
    current = directory.member_get(auth_tenant=common["auth_tenant"], member_id=item.member_id)
    if current is not None and current.removed_at is None and current.role == role:
        return "Done; the member already had this team role"
    members.member_role_change(member_id=item.member_id, role=role, audit_context=context, **common)
    return "Done"


def _record_one(item: ReviewItem, act: Act) -> None:
    """Send one team-role change and keep its result: done, or failed with the reason."""
    item.apply_attempts += 1
    try:
        item.apply_result = act(item)[:500]
    except ServiceError as error:
        item.apply_state, item.apply_result = ApplyState.FAILED, error.message[:500]
    else:
        item.apply_state, item.applied_at = ApplyState.DONE, timezone.now()
    item.save(update_fields=["apply_state", "apply_result", "applied_at", "apply_attempts"])


def _record(items: list[ReviewItem], send: Send) -> None:
    """Send one call and keep each item's result: done, or failed with the reason."""
    now = timezone.now()
    message = "Auth0 did not report on this tenant."
    try:
        result = send([i.tenant_id for i in items])
        outcomes = {o.tenant_id: o for o in result.outcomes}
    except ServiceError as error:
        outcomes, message = {}, error.message
    for item in items:
        outcome = outcomes.get(item.tenant_id)
        item.apply_attempts += 1
        if outcome is not None and outcome.ok:
            item.apply_state, item.apply_result, item.applied_at = ApplyState.DONE, "Done", now
        else:
            item.apply_state = ApplyState.FAILED
            item.apply_result = (outcome.reason if outcome is not None else message)[:500]
    ReviewItem.objects.bulk_update(
        items, ["apply_state", "apply_result", "applied_at", "apply_attempts"]
    )


def _finish(
    actor: Any, campaign: ReviewCampaign, result: ApplyResult, request: HttpRequest | None
) -> None:
    with transaction.atomic():
        if not campaign.applied_by_id:
            campaign.applied_by = actor
        if not selectors.to_apply(campaign=campaign).exists():
            campaign.applied_at = timezone.now()
        campaign.save(update_fields=["applied_by", "applied_at"])
        services.audit_review(
            actor=actor,
            campaign=campaign,
            action=AuditAction.REVIEW_APPLY,
            parameters={"done": result.done},
            outcome=_outcome(result),
            message=result.summary if result.failed else "",
            request=request,
        )


def _outcome(result: ApplyResult) -> AuditOutcome:
    if not result.failed:
        return AuditOutcome.SUCCESS
    return AuditOutcome.PARTIAL if result.done else AuditOutcome.FAILURE


def applications_retry() -> int:
    """Retry the failed items of campaigns an owner applied (or that apply on close), as the
    owner who applied them while they still may; how many campaigns were retried (beat)."""
    retried = 0
    campaigns = ReviewCampaign.objects.filter(
        applied_by__isnull=False,
        items__apply_state=ApplyState.FAILED,
        items__apply_attempts__lt=MAX_ATTEMPTS,
    ).distinct()
    for campaign in campaigns.select_related("plan__auth_tenant", "applied_by"):
        if not can(campaign.applied_by, Capability.APPLY_REVIEWS):
            continue
        try:
            campaign_apply(actor=campaign.applied_by, campaign=campaign)
        except ServiceError:
            continue  # an owner is applying it right now
        retried += 1
    return retried


def apply_on_close(*, campaign: ReviewCampaign) -> ApplyResult | None:
    """For a campaign set to apply on close: apply as the owner who created it, if still one."""
    creator = campaign.plan.created_by
    if not campaign.plan.apply_on_close or creator is None:
        return None
    if not can(creator, Capability.APPLY_REVIEWS):
        return None
    try:
        return campaign_apply(actor=creator, campaign=campaign)
    except ServiceError:
        return None  # being applied already
