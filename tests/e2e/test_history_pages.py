"""Browser flow: an auditor goes from a dashboard action to the Auth0 event it caused and back,
and both pages fit a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.audit.models import AuditAction
from apps.core.capabilities import Role
from tests.e2e.conftest import at_both_widths, sign_in
from tests.factories import AuthClientFactory
from tests.fixtures.directory import Directory
from tests.history.conftest import DASHBOARD_CLIENT, entry, event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_auditor_follows_an_action_to_its_auth0_event_and_back(
    live_server: LiveServer, page: Page, directory: Directory
) -> None:
    team, bob = directory.auth_tenant, directory.bob
    AuthClientFactory.create(auth_tenant=team, client_id=DASHBOARD_CLIENT)
    now = timezone.now()
    for n in range(1, 6):
        event(team, now - timedelta(minutes=n), "member_role_updated", actor_id="auth0|x" * 8)
    entry(
        team,
        now,
        AuditAction.TENANT_ACCESS_GRANT,
        target_type="member",
        target_id=bob.member_id,
        target_label=bob.email,
        parameters={"tenant_ids": [directory.prod.tenant_id], "roles": ["editor-users"]},
    )
    event(
        team,
        now - timedelta(seconds=1),
        "tenant_member_added",
        type="Tenant Member",
        ip="2001:db8:85a3:0000:0000:8a2e:0370:7334",
        hostname="acme.teams.auth0.com",
        user_agent="TeamsAdmin/1.0 (+https://teams-admin.example) python-requests/2.32.3" * 2,
        version="1.0",
        details={
            "member_id": bob.member_id,
            "tenant_id": directory.prod.tenant_id,
            "roles": ["editor-users"],
        },
    )
    sign_in(page, live_server, Role.AUDITOR)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("link", name="Tenant member added").click()
    expect(page.get_by_role("heading", name="Tenant member added")).to_be_visible()
    expect(page.locator(".cause")).to_contain_text("Asked for in this dashboard by owner-user")
    expect(page.get_by_role("link", name="Bob Byte")).to_be_visible()
    at_both_widths(page, "event-detail")
    page.get_by_role("link", name="Grant tenant access").click()
    expect(page.get_by_role("heading", name="Grant tenant access")).to_be_visible()
    at_both_widths(page, "auditentry-detail")
    page.get_by_role("link", name="← Dashboard actions").click()
    at_both_widths(page, "auditentry-list")
