"""Team roles as review items and tenants with reviewers of their own: the snapshot, who may
decide which item, reductions of a team role, and reminders counted per reviewer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied

from apps.accounts.services import user_ensure
from apps.audit.models import AuditAction, AuditEntry
from apps.core.capabilities import Role
from apps.core.errors import ServiceError
from apps.reviews import selectors, services, tasks
from apps.reviews.models import Decision, ItemKind, ReviewCampaign, ReviewItem
from tests.fixtures.directory import Directory
from tests.reviews.conftest import dev_reviewed_by, item, open_review

pytestmark = pytest.mark.django_db


def _team_item(campaign: ReviewCampaign, email: str) -> ReviewItem:
    return campaign.items.get(kind=ItemKind.TEAM, member_email=email)


def _decide(
    user: User, items: list[ReviewItem], decision: str, **kw: object
) -> services.DecideResult:
    return services.items_decide(
        actor=user,
        campaign=items[0].campaign,
        item_ids=[i.pk for i in items],
        decision=decision,
        justification="Checked with their manager",
        **kw,  # type: ignore[arg-type]
    )


def _second_auditor(email: str = "", role: Role = Role.AUDITOR) -> User:
    user, _ = user_ensure(username=f"second-{role.value}", password="pw", role=role)  # noqa: S106
    user.email = email
    user.save(update_fields=["email"])
    return user


# --- team roles -----------------------------------------------------------------------------------


def test_team_roles_are_items_only_when_the_plan_asks(owner: User, directory: Directory) -> None:
    d = directory
    without = open_review(owner, d.auth_tenant)
    with_roles = open_review(owner, d.auth_tenant, name="With team roles", include_team_roles=True)

    assert not without.items.filter(kind=ItemKind.TEAM).exists()
    team = {
        i.member_email: (i.roles, i.team_role, i.tenant_id, i.since)
        for i in with_roles.items.filter(kind=ItemKind.TEAM)
    }
    # Current members only (Lee left), each with their team role, no tenant, member since.
    assert team == {
        "ada@acme.test": (["teams_owner"], "teams_owner", "", d.ada.first_seen_at),
        "bob@acme.test": (["teams_contributor"], "teams_contributor", "", d.bob.first_seen_at),
    }
    assert with_roles.items.filter(kind=ItemKind.TENANT).count() == without.items.count()


def test_a_team_role_is_reduced_only_to_a_smaller_role(
    owner: User, auditor: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, include_team_roles=True)
    ada, bob = _team_item(campaign, "ada@acme.test"), _team_item(campaign, "bob@acme.test")

    refused = _decide(auditor, [ada, bob], "reduce", team_role="teams_contributor")
    assert refused.decided == 1  # Ada: owner to contributor
    assert refused.refused == [
        "bob@acme.test's team role: Contributor is not a smaller role than the one held, "
        "so it was left as it was."
    ]
    ada.refresh_from_db()
    assert (ada.decision, ada.reduce_to) == (Decision.REDUCE, ["teams_contributor"])

    # Tenant roles alone say nothing about a team role, and a team role is never made owner.
    assert _decide(auditor, [bob], "reduce", roles=["viewer-users"]).refused == [
        "bob@acme.test's team role: choose the team role to change to, so it was left as it was."
    ]
    assert _decide(auditor, [bob], "reduce", team_role="teams_owner").decided == 0
    with pytest.raises(ServiceError, match="team role to change to"):
        _decide(auditor, [bob], "reduce")


def test_a_team_role_item_closes_on_its_own_when_the_member_leaves(
    owner: User, auditor: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, include_team_roles=True)
    bob = _team_item(campaign, "bob@acme.test")
    directory.bob.removed_at = directory.bob.first_seen_at
    directory.bob.save(update_fields=["removed_at"])

    result = _decide(auditor, [bob], "remove")

    bob.refresh_from_db()
    assert (result.decided, result.closed, bob.decision) == (0, 1, Decision.CLOSED)


# --- tenants with their own reviewer --------------------------------------------------------------


def test_a_tenants_own_reviewer_decides_its_items_and_only_those(
    owner: User, auditor: User, directory: Directory
) -> None:
    d = directory
    second = _second_auditor(role=Role.OWNER)  # an owner, though owners are not reviewers here
    campaign = open_review(
        owner,
        d.auth_tenant,
        include_team_roles=True,
        reviewer_roles=["auditor"],
        tenant_reviewers={d.prod.tenant_id: second.pk},
    )
    prod = item(campaign, "ada@acme.test", "acme-prod")
    dev = item(campaign, "ada@acme.test", "acme-dev")
    assert (prod.reviewer, prod.reviewer_username) == (second, "second-owner")
    assert dev.reviewer is None and _team_item(campaign, "ada@acme.test").reviewer is None

    # The auditors review everything else, not acme-prod; its reviewer reviews acme-prod only.
    with pytest.raises(ServiceError, match="open for you to review"):
        _decide(auditor, [prod], "keep")
    assert _decide(auditor, [prod, dev], "keep").decided == 1
    assert _decide(second, [prod, dev], "remove").decided == 1
    prod.refresh_from_db()
    dev.refresh_from_db()
    assert (prod.decision, prod.decided_by) == (Decision.REMOVE, second)
    assert (dev.decision, dev.decided_by) == (Decision.KEEP, auditor)

    # Owners are not among this review's reviewers at all.
    with pytest.raises(PermissionDenied):
        _decide(owner, [dev], "keep")


def test_the_queue_waiting_for_a_reviewer_lists_their_items(
    owner: User, auditor: User, directory: Directory
) -> None:
    d = directory
    second = _second_auditor()
    campaign = dev_reviewed_by(owner, d, second, reviewer_roles=["owner"])

    def mine(user: User) -> set[tuple[str, str]]:
        reviews = selectors.reviews_of(user, campaign)
        rows = selectors.queue(campaign=campaign, group="tenant", show="mine", reviews=reviews)
        return {(i.member_email, i.tenant_name) for i in rows}

    assert mine(second) == {("ada@acme.test", "acme-dev"), ("bob@acme.test", "acme-dev")}
    assert mine(owner) == {("ada@acme.test", "acme-prod")}
    assert mine(auditor) == set()  # an auditor, but auditors are not this review's reviewers
    assert selectors.is_reviewer(second, campaign) and not selectors.is_reviewer(auditor, campaign)
    assert selectors.reviewer_progress(campaign=campaign) == [("second-auditor", 0, 2)]


def test_only_owners_and_auditors_can_be_a_tenants_reviewer(
    owner: User, helpdesk: User, directory: Directory
) -> None:
    d = directory
    with pytest.raises(ServiceError, match="Only owners and auditors"):
        open_review(owner, d.auth_tenant, tenant_reviewers={d.prod.tenant_id: helpdesk.pk})
    with pytest.raises(ServiceError, match="without a reviewer of their own"):
        open_review(owner, d.auth_tenant, reviewer_roles=[])
    assert not ReviewCampaign.objects.exists()


def test_each_reviewer_is_reminded_of_their_own_items(
    owner: User, auditor: User, directory: Directory
) -> None:
    d = directory
    auditor.email = "auditor@acme.test"
    auditor.save(update_fields=["email"])
    second = _second_auditor("second@acme.test")
    campaign = dev_reviewed_by(
        owner, d, second, include_team_roles=True, reviewer_roles=["auditor"]
    )

    # acme-dev's two items are the second auditor's; the auditors (both) review the other three.
    assert [r.undecided for r in selectors.reminders(user=second)] == [5]
    assert [r.undecided for r in selectors.reminders(user=auditor)] == [3]
    assert tasks.remind_task.apply().get() == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert bodies["second@acme.test"].startswith("5 items")
    assert bodies["auditor@acme.test"].startswith("3 items")
    assert f"/reviews/{campaign.pk}/?show=mine" in bodies["auditor@acme.test"]


def test_a_tenants_items_return_to_the_reviewer_roles_when_its_reviewer_may_no_longer_review(
    owner: User, auditor: User, directory: Directory
) -> None:
    d = directory
    second = _second_auditor()
    campaign = dev_reviewed_by(owner, d, second, reviewer_roles=["auditor"])
    dev = item(campaign, "bob@acme.test", "acme-dev")
    with pytest.raises(ServiceError, match="open for you to review"):
        _decide(auditor, [dev], "keep")
    assert [r.undecided for r in selectors.reminders(user=auditor)] == [1]  # acme-prod only

    second.groups.clear()  # no dashboard role any more

    assert [r.undecided for r in selectors.reminders(user=auditor)] == [3]
    assert _decide(auditor, [dev], "keep").decided == 1
    dev.refresh_from_db()
    assert (dev.decision, dev.decided_by) == (Decision.KEEP, auditor)


def test_changing_reviewers_moves_the_open_campaigns_items_not_yet_applied(
    owner: User, auditor: User, directory: Directory
) -> None:
    d = directory
    second = _second_auditor()
    campaign = dev_reviewed_by(owner, d, second, reviewer_roles=["auditor"])
    prod = item(campaign, "ada@acme.test", "acme-prod")
    kept = item(campaign, "ada@acme.test", "acme-dev")
    _decide(second, [kept], "keep")
    applied = item(campaign, "bob@acme.test", "acme-dev")
    ReviewItem.objects.filter(pk=applied.pk).update(decision="remove", apply_state="done")

    # acme-prod goes to the second auditor; acme-dev back to the reviewer roles (now owners).
    moved = services.plan_reviewers_change(
        actor=owner,
        campaign=campaign,
        reviewer_roles=["owner"],
        tenant_reviewers={d.prod.tenant_id: second.pk},
    )

    assert moved == 2  # prod's item, and dev's kept one (changeable until applied)
    rows = {i.pk: (i.reviewer_id, i.reviewer_username, i.decision) for i in campaign.items.all()}
    assert rows[prod.pk] == (second.pk, "second-auditor", "undecided")
    assert rows[kept.pk] == (None, "", "keep")  # the decision stays; who may change it moved
    assert rows[applied.pk] == (second.pk, "second-auditor", "remove")  # applied: left as it was
    campaign.plan.refresh_from_db()
    assert campaign.plan.reviewer_roles == ["owner"]
    assert selectors.tenant_reviewer_ids(plan=campaign.plan) == {d.prod.tenant_id: second.pk}
    with pytest.raises(PermissionDenied):
        _decide(auditor, [prod], "keep")  # auditors no longer review this plan
    entry = AuditEntry.objects.get(action=AuditAction.REVIEW_REVIEWERS)
    assert entry.parameters["tenant_reviewers"] == {d.prod.tenant_id: "second-auditor"}
    assert entry.parameters["items_moved"] == 2


def test_only_owners_change_reviewers_and_never_to_helpdesk(
    owner: User, auditor: User, helpdesk: User, directory: Directory
) -> None:
    d = directory
    campaign = open_review(owner, d.auth_tenant)
    with pytest.raises(PermissionDenied):
        services.plan_reviewers_change(
            actor=auditor, campaign=campaign, reviewer_roles=["auditor"], tenant_reviewers={}
        )
    with pytest.raises(ServiceError, match="Only owners and auditors"):
        services.plan_reviewers_change(
            actor=owner,
            campaign=campaign,
            reviewer_roles=["owner"],
            tenant_reviewers={d.prod.tenant_id: helpdesk.pk},
        )
    campaign.plan.refresh_from_db()
    assert campaign.plan.reviewer_roles == ["owner", "auditor"]
    assert not AuditEntry.objects.filter(action=AuditAction.REVIEW_REVIEWERS).exists()
