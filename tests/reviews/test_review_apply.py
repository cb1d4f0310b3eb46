"""Applying review decisions against the sandbox over real HTTP: removals and reductions go
through the tenant access services, per item results, partial failures, retries until done."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.directory.models import DirectoryMember
from apps.reviews import applying, services, tasks
from apps.reviews.models import ApplyState, ItemKind, ReviewCampaign, ReviewItem
from apps.sandbox.models import SandboxMember
from tests.access.conftest import pick, upstream_roles
from tests.fixtures.sandbox import Sandbox
from tests.reviews.conftest import open_review

pytestmark = pytest.mark.django_db(transaction=True)


def _held_items(campaign: ReviewCampaign, member_id: str) -> list[ReviewItem]:
    return list(campaign.items.filter(member_id=member_id).order_by("tenant_name"))


def _remove(owner: User, campaign: ReviewCampaign, items: list[ReviewItem]) -> None:
    services.items_decide(
        actor=owner,
        campaign=campaign,
        item_ids=[i.pk for i in items],
        decision="remove",
        justification="Left the project",
    )


def test_removals_and_reductions_reach_auth0_and_each_audit_entry_names_the_campaign(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=0, held=2)
    campaign = open_review(owner, synced)
    removed, reduced = _held_items(campaign, target.member_id)[:2]
    _remove(owner, campaign, [removed])
    reduced.roles = ["owner", "viewer-users"]  # as if held with two roles
    reduced.save(update_fields=["roles"])
    services.items_decide(
        actor=owner,
        campaign=campaign,
        item_ids=[reduced.pk],
        decision="reduce",
        roles=["viewer-users"],
        justification="Read access is enough",
    )

    result = applying.campaign_apply(actor=owner, campaign=campaign)

    assert (result.done, result.failed) == (2, 0)
    assert upstream_roles(target.member_id, removed.tenant_id) == set()
    assert upstream_roles(target.member_id, reduced.tenant_id) == {"viewer-users"}
    for done in (removed, reduced):
        done.refresh_from_db()
        assert (done.apply_state, done.apply_attempts) == (ApplyState.DONE, 1)
    entries = AuditEntry.objects.filter(
        action__in=[AuditAction.TENANT_ACCESS_REVOKE, AuditAction.TENANT_ACCESS_CHANGE]
    )
    assert {e.parameters["review_campaign_id"] for e in entries} == {campaign.pk}
    assert {e.parameters["review_campaign"] for e in entries} == {str(campaign)}
    summary = AuditEntry.objects.get(action=AuditAction.REVIEW_APPLY)
    assert summary.outcome == AuditOutcome.SUCCESS
    campaign.refresh_from_db()
    assert campaign.applied_at is not None and campaign.applied_by == owner


def test_a_partial_failure_keeps_each_items_result(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=0, held=2)
    campaign = open_review(owner, synced)
    kept_ok, gone = _held_items(campaign, target.member_id)[:2]
    _remove(owner, campaign, [kept_ok, gone])
    assert sandbox.api("DELETE", f"/api/tenants/{gone.tenant_id}").status_code == 204

    result = applying.campaign_apply(actor=owner, campaign=campaign)

    assert (result.done, result.failed) == (1, 1)
    kept_ok.refresh_from_db()
    gone.refresh_from_db()
    assert kept_ok.apply_state == ApplyState.DONE
    assert gone.apply_state == ApplyState.FAILED and gone.apply_result
    assert AuditEntry.objects.get(action=AuditAction.REVIEW_APPLY).outcome == AuditOutcome.PARTIAL
    campaign.refresh_from_db()
    assert campaign.applied_at is None  # not every decision is confirmed


def test_failed_applications_are_retried_by_beat_until_confirmed(
    sandbox: Sandbox, synced: AuthTenant, owner: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    target = pick(synced, free=0, held=1)
    campaign = open_review(owner, synced)
    removed = _held_items(campaign, target.member_id)[0]
    _remove(owner, campaign, [removed])
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])

    first = applying.campaign_apply(actor=owner, campaign=campaign)
    removed.refresh_from_db()
    assert (first.failed, removed.apply_state) == (1, ApplyState.FAILED)
    assert upstream_roles(target.member_id, removed.tenant_id) != set()

    sandbox.clear_faults()
    tasks.close_due_task.apply().get()  # beat's hourly run retries failed applications

    removed.refresh_from_db()
    assert (removed.apply_state, removed.apply_attempts) == (ApplyState.DONE, 2)
    assert upstream_roles(target.member_id, removed.tenant_id) == set()


def test_only_owners_apply(
    sandbox: Sandbox, synced: AuthTenant, owner: User, auditor: User
) -> None:
    campaign = open_review(owner, synced)
    first = campaign.items.first()
    assert first is not None
    _remove(owner, campaign, [first])

    with pytest.raises(PermissionDenied):
        applying.campaign_apply(actor=auditor, campaign=campaign)

    first.refresh_from_db()
    assert first.apply_state == ApplyState.NONE
    assert upstream_roles(first.member_id, first.tenant_id) != set()


def test_a_campaign_set_to_apply_on_close_applies_at_its_due_date(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=0, held=1)
    campaign = open_review(owner, synced, apply_on_close=True, due_default="remove")
    campaign.items.exclude(member_id=target.member_id).delete()
    ReviewCampaign.objects.filter(pk=campaign.pk).update(due_at=campaign.opened_at)

    assert tasks.close_due_task.apply().get() == 1

    assert set(campaign.items.values_list("decision", "apply_state")) == {("remove", "done")}
    assert all(
        upstream_roles(target.member_id, tid) == set()
        for tid in campaign.items.values_list("tenant_id", flat=True)
    )


def _team_decide(owner: User, item: ReviewItem, decision: str, **kw: object) -> None:
    services.items_decide(
        actor=owner,
        campaign=item.campaign,
        item_ids=[item.pk],
        decision=decision,
        justification="No longer on the team's projects",
        **kw,  # type: ignore[arg-type]
    )


def test_team_role_decisions_reach_auth0_after_the_tenant_changes(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    campaign = open_review(owner, synced, include_team_roles=True)
    team = campaign.items.filter(kind=ItemKind.TEAM, team_role="teams_contributor")
    leaver, mover = team.order_by("member_email")[:2]
    leaver_tenants = campaign.items.filter(kind=ItemKind.TENANT, member_id=leaver.member_id)
    _team_decide(owner, leaver, "remove")
    _remove(owner, campaign, list(leaver_tenants))
    _team_decide(owner, mover, "reduce", team_role="teams_report_viewer")

    result = applying.campaign_apply(actor=owner, campaign=campaign)

    assert result.failed == 0 and result.done == 2 + leaver_tenants.count()
    assert not SandboxMember.objects.filter(member_id=leaver.member_id).exists()
    assert SandboxMember.objects.get(member_id=mover.member_id).role == "teams_report_viewer"
    assert DirectoryMember.objects.get(member_id=mover.member_id).role == "teams_report_viewer"
    removal = AuditEntry.objects.get(action=AuditAction.MEMBER_REMOVE)
    change = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE_CHANGE)
    assert removal.target_id == leaver.member_id and change.target_id == mover.member_id
    assert {removal.parameters["review_campaign_id"], change.parameters["review_campaign_id"]} == {
        campaign.pk
    }
    # The tenants went first, each in its own revoke, while the member still existed.
    revokes = AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_REVOKE)
    assert all(r.outcome == AuditOutcome.SUCCESS for r in revokes)
    assert all(r.pk < removal.pk for r in revokes)


def test_removing_the_last_team_owner_fails_with_the_reason_and_nothing_is_sent(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    campaign = open_review(owner, synced, include_team_roles=True)
    last = campaign.items.filter(kind=ItemKind.TEAM, team_role="teams_owner").first()
    assert last is not None
    # The mirror knows no other owner, so the members service refuses before any call.
    DirectoryMember.objects.filter(role="teams_owner").exclude(member_id=last.member_id).update(
        role="teams_contributor"
    )
    _team_decide(owner, last, "remove")
    sandbox.clear_requests_log()

    result = applying.campaign_apply(actor=owner, campaign=campaign)

    last.refresh_from_db()
    assert (result.done, result.failed) == (0, 1)
    assert last.apply_state == ApplyState.FAILED and "last owner" in last.apply_result
    assert SandboxMember.objects.filter(member_id=last.member_id).exists()
    assert sandbox.requests_log(method="DELETE") == []
