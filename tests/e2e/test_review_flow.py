"""Browser journey of an access review: an owner opens a quarterly review of the Production
tenants, an auditor keeps most items and removes one with a justification, the owner applies it
and the report shows the result (review-create, review-queue, review-report); and a review whose
first tenant has its own reviewer, with team roles, one reduced (review-create-own-reviewers,
review-queue-own-reviewer, review-queue-team-roles, review-reviewers)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.accounts.services import user_ensure
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.reviews.models import ReviewCampaign
from apps.sandbox.models import SandboxMember
from apps.teamsapi.contract import TeamRole
from tests.access.conftest import upstream_roles
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(sandbox: Sandbox, auth_tenant: AuthTenant) -> Team:
    mirrored = Team(auth_tenant=auth_tenant, sandbox=sandbox)
    mirrored.sync()
    return mirrored


def _owner_opens_the_review(page: Page, live_server: LiveServer) -> ReviewCampaign:
    sign_in(page, live_server, Role.OWNER)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Access reviews").click()
    page.get_by_role("link", name="New access review").click()
    page.get_by_label("Name").fill("Production access, quarterly")
    page.get_by_label("Tenants with an environment tag").check()
    page.get_by_label("Environment tag", exact=True).select_option(label="Production")
    page.get_by_label("Repeat").select_option(label="Quarterly")
    expect(page.get_by_label("Auditors")).to_be_checked()
    at_both_widths(page, "review-create")
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_text("opened with")).to_be_visible()
    return ReviewCampaign.objects.get()


def test_a_quarterly_production_review_from_creation_to_report(
    live_server: LiveServer, page: Page, browser: Browser, team: Team
) -> None:
    campaign = _owner_opens_the_review(page, live_server)
    items = list(campaign.items.order_by("tenant_name", "member_email", "pk"))
    assert len(items) >= 2
    assert {i.environment_tag for i in items} == {"production"}
    removed = items[0]

    auditor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(auditor, live_server, Role.AUDITOR)
    auditor.get_by_role("link", name=str(campaign)).click()  # the home page's reminder
    checkboxes = auditor.locator('input[name="items"]')
    expect(checkboxes).to_have_count(min(len(items), 50))
    for box in checkboxes.all()[1:]:
        box.check()
    auditor.get_by_label("Decision").select_option(label="Keep")
    auditor.get_by_role("button", name="Record decision").click()
    expect(
        auditor.get_by_text(f"Decision recorded for {min(len(items), 50) - 1} items.")
    ).to_be_visible()
    auditor.locator('input[name="items"]').first.check()
    auditor.get_by_label("Decision").select_option(label="Remove access")
    auditor.get_by_label("Justification").fill("Left the payments team in October")
    at_both_widths(auditor, "review-queue")
    auditor.get_by_role("button", name="Record decision").click()
    expect(auditor.get_by_text("Decision recorded for 1 item.")).to_be_visible()
    auditor.context.close()

    page.goto(f"{live_server.url}/reviews/{campaign.pk}/report/")
    page.get_by_role("button", name="Apply 1 decision").click()
    expect(page.get_by_text("1 decision applied.")).to_be_visible()
    page.get_by_role("button", name="Close the review now").click()
    expect(page.get_by_text("closed; items not reviewed took its default")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Left the payments team in October")
    expect(row.get_by_text("Done")).to_be_visible()
    expect(page.get_by_text("Dashboard actions chain head at closing")).to_be_visible()
    at_both_widths(page, "review-report")
    assert upstream_roles(removed.member_id, removed.tenant_id) == set()
    # The quarterly schedule ends here; the report says so.
    page.get_by_role("button", name="Stop repeating").click()
    expect(page.get_by_text("will not open again")).to_be_visible()
    expect(page.get_by_text("(stopped by e2e-owner on")).to_be_visible()


def test_a_tenant_with_its_own_reviewer_and_a_team_role_reduced(
    live_server: LiveServer, page: Page, browser: Browser, team: Team
) -> None:
    first, second = team.tenants()[:2]
    mover = team.members(TeamRole.CONTRIBUTOR)[0]
    user_ensure(username=f"e2e-{Role.AUDITOR.value}", password="e2e-password", role=Role.AUDITOR)  # noqa: S106
    sign_in(page, live_server, Role.OWNER)
    page.goto(f"{live_server.url}/reviews/new/")
    page.get_by_label("Name").fill("Two tenants and the team")
    page.get_by_label("Chosen tenants").check()
    page.get_by_role("group", name="Tenants").get_by_label(first.tenant_name, exact=True).check()
    page.get_by_role("group", name="Tenants").get_by_label(second.tenant_name, exact=True).check()
    page.get_by_label("Review team roles too").check()
    page.get_by_label("Owners").check()
    page.get_by_label("Auditors").uncheck()
    page.get_by_text("Reviewers per tenant (optional)").click()
    page.locator(".tenant-reviewers").get_by_label(first.tenant_name, exact=True).select_option(
        label=f"e2e-{Role.AUDITOR.value}"
    )
    at_both_widths(page, "review-create-own-reviewers")
    page.get_by_role("button", name="Open the review").click()
    expect(page.get_by_text("opened with")).to_be_visible()
    campaign = ReviewCampaign.objects.get()
    theirs = campaign.items.filter(tenant_id=first.tenant_id).count()

    auditor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(auditor, live_server, Role.AUDITOR)
    auditor.get_by_role("link", name=str(campaign)).click()
    expect(auditor.get_by_label("Show")).to_have_value("mine")
    expect(auditor.locator('input[name="items"]')).to_have_count(min(theirs, 50))
    at_both_widths(auditor, "review-queue-own-reviewer")
    auditor.context.close()

    page.goto(f"{live_server.url}/reviews/{campaign.pk}/")
    page.get_by_label(f"Choose {mover.email}'s team role").check()
    page.get_by_label("Decision", exact=True).select_option(label="Reduce to roles…")
    page.get_by_label("Team role to change to").select_option(label="Report viewer")
    page.get_by_label("Justification").fill("Only reads the quarterly reports now")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded for 1 item.")).to_be_visible()
    at_both_widths(page, "review-queue-team-roles")
    page.goto(f"{live_server.url}/reviews/{campaign.pk}/report/")
    page.get_by_role("button", name="Apply 1 decision").click()
    expect(page.get_by_text("1 decision applied.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Only reads the quarterly reports now")
    expect(row.get_by_text("Done")).to_be_visible()
    assert SandboxMember.objects.get(member_id=mover.member_id).role == TeamRole.REPORT_VIEWER

    # The first tenant goes back to the owners: its items leave the auditor's queue.
    page.get_by_role("link", name="Change reviewers").click()
    own = page.locator(".tenant-reviewers").get_by_label(first.tenant_name, exact=True)
    reviewer_ids = set(campaign.items.exclude(reviewer=None).values_list("reviewer_id", flat=True))
    assert len(reviewer_ids) == 1
    expect(own).to_have_value(str(reviewer_ids.pop()))
    at_both_widths(page, "review-reviewers")
    own.select_option(label="The reviewers above")
    page.get_by_role("button", name="Save the reviewers").click()
    expect(page.get_by_text(f"{theirs} items changed hands")).to_be_visible()
    assert not campaign.items.filter(reviewer__isnull=False).exists()
