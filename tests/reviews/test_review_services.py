"""Access reviews without the Teams API: the snapshot against the mirror and its history,
decisions, items closed on their own, defaults at the due date, and beat opening each period's
campaign exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction, AuditEntry
from apps.core.errors import ServiceError
from apps.directory.models import DirectoryAccess
from apps.reviews import applying, selectors, services, tasks
from apps.reviews.models import Decision, ReviewCampaign, ReviewItem
from apps.reviews.periods import period_start
from tests.fixtures.directory import T0, T2, Directory
from tests.reviews.conftest import item, open_review

pytestmark = pytest.mark.django_db


def _decide(
    user: User, campaign: ReviewCampaign, items: list[ReviewItem], decision: str, **kw: object
) -> services.DecideResult:
    return services.items_decide(
        actor=user,
        campaign=campaign,
        item_ids=[i.pk for i in items],
        decision=decision,
        **kw,  # type: ignore[arg-type]
    )


# --- the snapshot -------------------------------------------------------------------------------


def test_the_snapshot_holds_each_current_grant_with_since_when_and_last_activity(
    owner: User, access_timeline: Directory
) -> None:
    d = access_timeline
    ActivityEvent.objects.create(
        auth_tenant=d.auth_tenant,
        external_id="evt-1",
        status="success",
        actor_id=d.ada.member_id,
        created_at=T2,
    )

    campaign = open_review(owner, d.auth_tenant)

    rows = {
        (i.member_email, i.tenant_name): (i.roles, i.since, i.last_active, i.team_role)
        for i in campaign.items.all()
    }
    # Ada's roles changed at T1 (a new period) but her access never stopped: since T0.
    # Bob lost prod and Lee left the team: neither is in the review.
    assert rows == {
        ("ada@acme.test", "acme-prod"): (["editor-users"], T0, T2, "teams_owner"),
        ("bob@acme.test", "acme-dev"): (["viewer-config"], T0, None, "teams_contributor"),
    }


def test_the_snapshot_stays_fixed_while_the_directory_changes(
    owner: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    before = list(campaign.items.values_list("member_email", "tenant_name", "roles"))

    DirectoryAccess.objects.filter(member=directory.bob).update(removed_at=timezone.now())
    DirectoryAccess.objects.create(
        auth_tenant=directory.auth_tenant,
        member=directory.bob,
        tenant=directory.private,
        roles=["owner"],
        first_seen_at=timezone.now(),
    )

    assert list(campaign.items.values_list("member_email", "tenant_name", "roles")) == before
    assert len(before) == 3


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (
            {"scope_kind": "environment", "environment_tag": "Production"},
            {("ada@acme.test", "acme-prod")},
        ),
        (
            {"scope_kind": "chosen", "tenant_ids": ["dev"]},
            {("ada@acme.test", "acme-dev"), ("bob@acme.test", "acme-dev")},
        ),
    ],
    ids=["production tag", "chosen tenant"],
)
def test_the_scope_picks_the_tenants(
    owner: User, directory: Directory, plan: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    if plan.get("tenant_ids"):
        plan["tenant_ids"] = [directory.dev.tenant_id]

    campaign = open_review(owner, directory.auth_tenant, **plan)

    assert set(campaign.items.values_list("member_email", "tenant_name")) == expected


def test_only_owners_create_reviews_and_creating_is_recorded(
    owner: User, auditor: User, helpdesk: User, directory: Directory
) -> None:
    for user in (auditor, helpdesk):
        with pytest.raises(PermissionDenied):
            open_review(user, directory.auth_tenant)
    assert not ReviewCampaign.objects.exists()

    campaign = open_review(owner, directory.auth_tenant, recurrence="quarterly")

    entry = AuditEntry.objects.get(action=AuditAction.REVIEW_CREATE)
    assert entry.actor_username == owner.username
    assert entry.target_id == str(campaign.pk)
    assert entry.parameters["items"] == 3
    assert entry.parameters["recurrence"] == "Quarterly"


# --- decisions ----------------------------------------------------------------------------------


def test_a_reviewer_keeps_a_selection_in_one_go(
    owner: User, auditor: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, reviewer_roles=["auditor"])
    items = list(campaign.items.all())

    result = _decide(auditor, campaign, items, "keep")

    assert (result.decided, result.closed, result.refused) == (3, 0, [])
    assert set(campaign.items.values_list("decision", "decided_by_username")) == {
        ("keep", auditor.username)
    }
    entry = AuditEntry.objects.get(action=AuditAction.REVIEW_DECIDE)
    assert entry.parameters["decided"] == 3
    assert selectors.progress(campaign=campaign).percent == 100
    assert selectors.progress_by_reviewer(campaign=campaign) == [(auditor.username, 3)]


def test_remove_and_reduce_need_a_justification_and_reduce_needs_fewer_roles(
    owner: User, auditor: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    ada_dev = item(campaign, "ada@acme.test", "acme-dev")  # owner + editor-users
    ada_prod = item(campaign, "ada@acme.test", "acme-prod")  # owner

    with pytest.raises(ServiceError, match="why"):
        _decide(auditor, campaign, [ada_dev], "remove", justification="  ")
    with pytest.raises(ServiceError, match="roles to keep"):
        _decide(auditor, campaign, [ada_dev], "reduce", justification="least privilege")
    assert not campaign.items.exclude(decision="undecided").exists()

    result = _decide(
        auditor,
        campaign,
        [ada_dev, ada_prod],
        "reduce",
        roles=["editor-users"],
        justification="Does not own dev any more",
    )

    assert result.decided == 1
    assert "acme-prod" in result.refused[0]
    ada_dev.refresh_from_db()
    assert (ada_dev.decision, ada_dev.reduce_to) == ("reduce", ["editor-users"])
    assert ada_dev.justification == "Does not own dev any more"
    assert item(campaign, "ada@acme.test", "acme-prod").decision == "undecided"


def test_items_whose_access_ended_on_its_own_are_closed_with_that_reason(
    owner: User, auditor: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    DirectoryAccess.objects.filter(member=directory.bob).update(removed_at=timezone.now())
    bob_dev = item(campaign, "bob@acme.test", "acme-dev")
    ada_dev = item(campaign, "ada@acme.test", "acme-dev")

    result = _decide(auditor, campaign, [bob_dev, ada_dev], "keep")

    assert (result.decided, result.closed) == (1, 1)
    bob_dev.refresh_from_db()
    assert bob_dev.decision == Decision.CLOSED
    assert bob_dev.justification == services.CLOSED_ON_ITS_OWN
    assert bob_dev.decided_by_username == ""


def test_beat_closes_items_whose_access_ended_without_anyone_deciding(
    owner: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, include_team_roles=True)
    DirectoryAccess.objects.filter(member=directory.bob).update(removed_at=timezone.now())

    assert tasks.close_due_task.apply().get() == 0  # nothing due yet

    closed = campaign.items.filter(decision=Decision.CLOSED)
    # Bob's dev access ended; he is still in the team, so his team role stays open.
    assert {(i.member_email, i.tenant_name) for i in closed} == {("bob@acme.test", "acme-dev")}
    assert campaign.items.filter(decision=Decision.UNDECIDED).count() == 4


def test_only_the_reviews_reviewers_decide(
    owner: User, auditor: User, helpdesk: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, reviewer_roles=["owner"])
    items = list(campaign.items.all())

    for user in (auditor, helpdesk):
        with pytest.raises(PermissionDenied):
            _decide(user, campaign, items, "keep")

    assert not campaign.items.exclude(decision="undecided").exists()
    assert _decide(owner, campaign, items, "keep").decided == 3


# --- the due date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("default", "becomes"),
    [("keep", "keep"), ("flag", "flagged"), ("remove", "remove")],
)
def test_at_the_due_date_undecided_items_take_the_default(
    owner: User, auditor: User, directory: Directory, default: str, becomes: str
) -> None:
    campaign = open_review(owner, directory.auth_tenant, due_default=default, due_days=7)
    decided = item(campaign, "ada@acme.test", "acme-prod")
    _decide(auditor, campaign, [decided], "keep")

    assert services.campaigns_close_due() == []  # not due yet
    closed = services.campaigns_close_due(now=campaign.due_at + timedelta(seconds=1))

    assert [c.pk for c in closed] == [campaign.pk]
    decisions = dict(campaign.items.values_list("tenant_name", "decision").exclude(pk=decided.pk))
    assert set(decisions.values()) == {becomes}
    decided.refresh_from_db()
    assert decided.decision == "keep" and decided.decided_by_username == auditor.username
    campaign.refresh_from_db()
    assert campaign.closed_at is not None
    closing = AuditEntry.objects.get(action=AuditAction.REVIEW_CLOSE)
    assert campaign.audit_chain_head == closing.chain_hash
    assert closing.parameters["not_reviewed"] == 2
    with pytest.raises(PermissionDenied):  # reviewers are done once it closes
        _decide(auditor, campaign, [decided], "keep")
    with pytest.raises(ServiceError, match="only flagged items"):
        _decide(owner, campaign, [decided], "remove", justification="Too late")


def test_after_closing_an_owner_settles_the_items_flagged_for_them(
    owner: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant, due_default="flag")
    services.campaign_close(actor=owner, campaign=campaign)
    bob_dev = item(campaign, "bob@acme.test", "acme-dev")

    result = _decide(owner, campaign, [bob_dev], "remove", justification="Nobody vouched")

    assert result.decided == 1
    bob_dev.refresh_from_db()
    assert (bob_dev.decision, bob_dev.decided_by_username) == ("remove", owner.username)
    assert list(selectors.to_apply(campaign=campaign)) == [bob_dev]
    assert campaign.items.filter(decision="flagged").count() == 2


def test_nothing_is_removed_without_the_owner_choosing_it(
    owner: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)  # default: keep

    services.campaign_close(actor=owner, campaign=campaign)

    assert set(campaign.items.values_list("decision", flat=True)) == {"keep"}
    assert not selectors.to_apply(campaign=campaign).exists()


# --- beat -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recurrence", "today", "start"),
    [
        ("monthly", date(2026, 11, 30), date(2026, 11, 1)),
        ("quarterly", date(2026, 11, 30), date(2026, 10, 1)),
        ("quarterly", date(2026, 1, 1), date(2026, 1, 1)),
        ("half_yearly", date(2026, 6, 30), date(2026, 1, 1)),
        ("half_yearly", date(2026, 7, 2), date(2026, 7, 1)),
        ("none", date(2026, 7, 2), date(2026, 7, 2)),
    ],
)
def test_the_period_starts_on_the_first_day_of_its_month_quarter_or_half(
    recurrence: str, today: date, start: date
) -> None:
    assert period_start(recurrence, today) == start


def test_beat_opens_each_period_once_however_often_it_runs(
    owner: User, directory: Directory
) -> None:
    first = open_review(owner, directory.auth_tenant, recurrence="quarterly")
    open_review(owner, directory.auth_tenant, name="One-off")

    assert tasks.open_due_task.apply().get() == 0  # this quarter's is open already
    next_quarter = datetime.combine(
        period_start("quarterly", first.period_start) + timedelta(days=95), datetime.min.time(), UTC
    )
    opened = services.campaigns_open_due(now=next_quarter)
    again = services.campaigns_open_due(now=next_quarter)

    assert len(opened) == 1 and again == []
    periods = ReviewCampaign.objects.filter(plan=first.plan).values_list("period_start", flat=True)
    assert sorted(periods) == [first.period_start, period_start("quarterly", next_quarter.date())]
    assert opened[0].items.count() == 3


def test_a_stopped_plan_opens_no_more_campaigns(
    owner: User, auditor: User, directory: Directory
) -> None:
    first = open_review(owner, directory.auth_tenant, recurrence="monthly")
    once = open_review(owner, directory.auth_tenant, name="One-off")
    with pytest.raises(PermissionDenied):
        services.plan_stop(actor=auditor, campaign=first)

    services.plan_stop(actor=owner, campaign=first)

    next_month = timezone.now() + timedelta(days=40)
    assert services.campaigns_open_due(now=next_month) == []
    assert ReviewCampaign.objects.filter(plan=first.plan).count() == 1
    first.refresh_from_db()
    assert first.is_open  # the campaign already opened carries on
    assert not first.plan.repeats and first.plan.stopped_by_username == owner.username
    entry = AuditEntry.objects.get(action=AuditAction.REVIEW_STOP)
    assert entry.parameters["recurrence"] == "Monthly"
    for plan_campaign in (first, once):  # stopped already; never repeated
        with pytest.raises(ServiceError, match="does not repeat"):
            services.plan_stop(actor=owner, campaign=plan_campaign)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_beats_at_once_open_one_campaign(owner: User, directory: Directory) -> None:
    plan = open_review(owner, directory.auth_tenant, recurrence="monthly").plan
    later = timezone.now() + timedelta(days=40)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def beat() -> None:
        barrier.wait()
        try:
            results.append(len(services.campaigns_open_due(now=later)))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1]
    assert ReviewCampaign.objects.filter(plan=plan).count() == 2


# --- reminders ----------------------------------------------------------------------------------


def test_reviewers_are_reminded_on_the_home_page_and_by_email(
    owner: User, auditor: User, helpdesk: User, directory: Directory
) -> None:
    auditor.email = "auditor@acme.test"
    auditor.save(update_fields=["email"])
    campaign = open_review(owner, directory.auth_tenant, reviewer_roles=["auditor"])

    assert [r.undecided for r in selectors.reminders(user=auditor)] == [3]
    assert selectors.reminders(user=owner) == []  # owners are not this review's reviewers
    assert selectors.reminders(user=helpdesk) == []
    assert tasks.remind_task.apply().get() == 1
    assert mail.outbox[-1].to == ["auditor@acme.test"]
    assert "3 items" in mail.outbox[-1].body
    assert f"/reviews/{campaign.pk}/" in mail.outbox[-1].body


def test_a_review_closes_once_even_from_a_stale_copy(owner: User, directory: Directory) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    stale = ReviewCampaign.objects.get(pk=campaign.pk)
    services.campaign_close(actor=owner, campaign=campaign)

    with pytest.raises(ServiceError, match="already closed"):
        services.campaign_close(actor=None, campaign=stale)

    assert AuditEntry.objects.filter(action=AuditAction.REVIEW_CLOSE).count() == 1


def test_a_review_being_applied_is_not_applied_twice_at_once(
    owner: User, directory: Directory
) -> None:
    campaign = open_review(owner, directory.auth_tenant)
    ReviewCampaign.objects.filter(pk=campaign.pk).update(applying_since=timezone.now())

    with pytest.raises(ServiceError, match="being applied right now"):
        applying.campaign_apply(actor=owner, campaign=campaign)
    assert not AuditEntry.objects.filter(action=AuditAction.REVIEW_APPLY).exists()

    # A claim older than the lease is an apply that died: the next one goes ahead.
    stale = timezone.now() - applying.APPLY_LEASE - timedelta(seconds=1)
    ReviewCampaign.objects.filter(pk=campaign.pk).update(applying_since=stale)
    assert applying.campaign_apply(actor=owner, campaign=campaign).done == 0
    campaign.refresh_from_db()
    assert campaign.applying_since is None
