"""Browser flow of the invitation ledger: helpdesk resends one invitation and withdraws another;
the withdrawn invitee joins anyway and an owner removes them from the Overview's notice. Saves
invitations.png / invitations-390.png under docs/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.accounts.services import user_ensure
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.directory.models import DirectoryMember, Invitation
from apps.members import services
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(sandbox: Sandbox, auth_tenant: AuthTenant) -> Team:
    mirrored = Team(auth_tenant=auth_tenant, sandbox=sandbox)
    mirrored.sync()
    return mirrored


def _sent(team: Team, *emails: str) -> None:
    """Invitations sent by the helpdesk user through the invite service, one a week old."""
    sender, _ = user_ensure(username="e2e-helpdesk", password="e2e-password", role=Role.HELPDESK)  # noqa: S106
    for email in emails:
        services.member_invite(
            actor=sender,
            auth_tenant=team.auth_tenant,
            invite=services.InviteRequest(email=email, role="teams_report_viewer"),
        )
    week_ago = Invitation.objects.order_by("pk").first()
    assert week_ago is not None
    Invitation.objects.filter(pk=week_ago.pk).update(
        invited_at=week_ago.invited_at - timedelta(days=8)
    )


def _row(page: Page, email: str) -> Locator:
    return page.get_by_role("row").filter(has_text=email)


def test_helpdesk_resends_and_withdraws_then_an_owner_removes_who_joined_anyway(
    live_server: LiveServer, page: Page, browser: Browser, team: Team
) -> None:
    _sent(team, "late@acme.test", "again@acme.test", "contractor@acme.test")
    sign_in(page, live_server, Role.HELPDESK)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_role("link", name="Invitations sent from Teams Admin").click()
    expect(page.get_by_role("heading", name="Invitations sent from Teams Admin")).to_be_visible()
    expect(_row(page, "late@acme.test").get_by_text("Expired")).to_be_visible()

    _row(page, "again@acme.test").get_by_role("link", name="Resend…").click()
    page.get_by_role("button", name="Resend invitation").click()
    expect(page.get_by_text("Invitation sent again to again@acme.test")).to_be_visible()

    _row(page, "contractor@acme.test").get_by_role("link", name="Withdraw…").click()
    expect(page.get_by_text("Auth0 cannot revoke an invitation")).to_be_visible()
    page.get_by_label("Reason (optional)").fill("Contract cancelled")
    page.get_by_role("button", name="Withdraw invitation").click()
    expect(page.get_by_text("Invitation to contractor@acme.test withdrawn here.")).to_be_visible()
    expect(_row(page, "again@acme.test").get_by_text("Replaced by a resend")).to_be_visible()
    at_both_widths(page, "invitations")

    member_id = team.sandbox.accept_invitation("contractor@acme.test")
    team.sync()

    owner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(owner, live_server, Role.OWNER)
    notice = owner.get_by_role("alert").filter(has_text="Joined after the invitation was withdrawn")
    expect(notice).to_be_visible()
    notice.get_by_role("link").first.click()
    flag = owner.get_by_role("alert").filter(has_text="Joined after the invitation was withdrawn")
    expect(flag).to_contain_text("Contract cancelled")
    flag.get_by_role("link", name="Remove from team…").click()
    owner.get_by_role("button", name="Remove from team").click()
    expect(owner.get_by_text("contractor@acme.test was removed from the team")).to_be_visible()
    assert DirectoryMember.objects.get(member_id=member_id).removed_at is not None
    owner.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    expect(owner.get_by_text("Joined after the invitation was withdrawn")).to_have_count(0)
    owner.context.close()
