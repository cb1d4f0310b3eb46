"""Browser flows on the Members pages: helpdesk invites; an owner changes a role and removes a
member; an auditor sees no write buttons. Saves the screenshots under docs/screenshots/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.directory.models import DirectoryAccess, DirectoryMember, Invitation
from apps.teamsapi.contract import TeamRole
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)


@pytest.fixture
def team(sandbox: Sandbox, auth_tenant: AuthTenant) -> Team:
    mirrored = Team(auth_tenant=auth_tenant, sandbox=sandbox)
    mirrored.sync()
    return mirrored


def _contributor_with_access(team: Team) -> DirectoryMember:
    access = DirectoryAccess.objects.filter(
        auth_tenant=team.auth_tenant, removed_at=None, member__role=TeamRole.CONTRIBUTOR
    ).select_related("member")
    found = access.first()
    assert found is not None
    return found.member


@pytest.fixture
def shoot(page: Page) -> Callable[[str], None]:
    return lambda name: at_both_widths(page, name)


def _owner_opens_a_contributor(page: Page, live_server: LiveServer, team: Team) -> DirectoryMember:
    member = _contributor_with_access(team)
    sign_in(page, live_server, Role.OWNER)
    page.goto(f"{live_server.url}/members/{member.member_id}/")
    return member


def _members(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()


def test_helpdesk_invites_a_member(
    live_server: LiveServer, page: Page, team: Team, shoot: Callable[[str], None]
) -> None:
    sign_in(page, live_server, Role.HELPDESK)
    _members(page)
    page.get_by_role("link", name="Invite a member").click()
    expect(page.get_by_role("heading", name="Invite a member")).to_be_visible()
    page.get_by_label("Email").fill("newcomer@acme.test")
    page.get_by_label("Team role").select_option(label="Report viewer")
    tenant = team.tenants()[0]
    page.get_by_label("Tenants").select_option(label=tenant.tenant_name)
    page.get_by_label("Viewer – Config settings").check()
    page.get_by_role("button", name="Send invitation").click()
    # Tenants without the confirmation: the trap is explained and nothing was sent.
    expect(page.get_by_text("Tick this to send tenant access")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("newcomer@acme.test")
    shoot("member-invite")
    page.get_by_label("Tenants").select_option([])
    page.get_by_label("Viewer – Config settings").uncheck()
    page.get_by_role("button", name="Send invitation").click()
    expect(
        page.get_by_text("Invitation sent to newcomer@acme.test as Report viewer.")
    ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="newcomer@acme.test")
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("e2e-helpdesk")
    assert Invitation.objects.filter(email="newcomer@acme.test", tenant_ids=[]).count() == 1


def test_owner_changes_a_team_role(
    live_server: LiveServer, page: Page, team: Team, shoot: Callable[[str], None]
) -> None:
    member = _owner_opens_a_contributor(page, live_server, team)
    expect(page.get_by_role("heading", name="Team membership")).to_be_visible()
    shoot("member-detail")
    page.get_by_label("New team role").select_option(label="Tenant manager")
    page.get_by_role("button", name="Change team role").click()
    expect(page.get_by_text(f"{member.email} is now a Tenant manager of the team.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Tenant manager")
    member.refresh_from_db()
    assert member.role == TeamRole.TENANT_MANAGER


def test_owner_removes_a_member(
    live_server: LiveServer, page: Page, team: Team, shoot: Callable[[str], None]
) -> None:
    member = _owner_opens_a_contributor(page, live_server, team)
    page.get_by_role("link", name="Remove from team…").click()
    expect(page.get_by_text("all of their tenant access goes with it")).to_be_visible()
    shoot("member-remove")
    page.get_by_role("button", name="Remove from team").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.get_by_text(f"{member.email} was removed from the team")).to_be_visible()
    expect(page.locator("#member-table")).not_to_contain_text(member.email)


def test_auditor_sees_no_write_buttons(live_server: LiveServer, page: Page, team: Team) -> None:
    member = _contributor_with_access(team)
    sign_in(page, live_server, Role.AUDITOR)
    _members(page)
    expect(page.locator("#member-table")).to_contain_text(member.email)
    expect(page.get_by_role("link", name="Invite a member")).to_have_count(0)
    page.get_by_role("link", name="Invitations sent from Teams Admin").click()
    expect(page.get_by_role("heading", name="Invitations sent from Teams Admin")).to_be_visible()
    page.goto(f"{live_server.url}/members/{member.member_id}/")
    expect(page.get_by_role("heading", name=member.name or member.email)).to_be_visible()
    expect(page.get_by_role("button")).to_have_text(["Sign out"])
    expect(page.get_by_role("link", name="Remove from team…")).to_have_count(0)
