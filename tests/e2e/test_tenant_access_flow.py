"""Browser journey: an owner grants a member access to a tenant with two roles, sees the result,
changes the roles and removes the access, against the sandbox.

With TEAMSADMIN_SCREENSHOTS=<dir> (e.g. docs/screenshots) it saves the grant form and the result
page at 1280 and 390 px wide; every run checks that neither scrolls sideways on a phone.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from tests.access.conftest import mirror, pick, upstream_roles
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.sandbox import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_grants_changes_and_removes_tenant_access(
    live_server: LiveServer, page: Page, sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    target = pick(mirror(auth_tenant))
    tenant = target.free[0]
    member_url = reverse("members:detail", args=[target.member_id])
    sign_in(page, live_server, Role.OWNER)
    page.goto(live_server.url + member_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(live_server.url + reverse("access:grant", args=[target.member_id]))
    page.get_by_label(f"{tenant.tenant_name} · {tenant.environment}", exact=True).check()
    page.get_by_label("Editor – Users", exact=True).check()
    page.get_by_label("Viewer – Config settings", exact=True).check()
    expect(page.get_by_label("App (client) ids")).to_be_hidden()  # only for Specific apps
    page.get_by_label("Editor – Specific apps", exact=True).check()
    expect(page.get_by_label("App (client) ids")).to_be_visible()
    page.get_by_label("Editor – Specific apps", exact=True).uncheck()
    at_both_widths(page, "access-grant")
    page.get_by_role("button", name="Grant access").click()

    expect(page.get_by_role("heading", name="Access granted: 1 of 1 tenant")).to_be_visible()
    expect(page.locator(".message-success")).to_contain_text(
        f"Access granted on {tenant.tenant_name}"
    )
    expect(page.get_by_role("link", name=tenant.tenant_name)).to_be_visible()
    at_both_widths(page, "access-result")
    assert upstream_roles(target.member_id, tenant.tenant_id) == {"editor-users", "viewer-config"}

    page.goto(
        live_server.url
        + reverse("access:change", args=[target.member_id])
        + f"?tenant={tenant.tenant_id}"
    )
    expect(page.get_by_text("Auth0 signs the member out")).to_be_visible()
    expect(page.get_by_label("Viewer – Config settings", exact=True)).to_be_checked()
    page.get_by_label("Viewer – Config settings", exact=True).uncheck()
    page.get_by_label("Admin", exact=True).check()
    page.get_by_role("button", name="Change roles").click()
    expect(page.get_by_role("heading", name="Roles changed: 1 of 1 tenant")).to_be_visible()
    assert upstream_roles(target.member_id, tenant.tenant_id) == {"editor-users", "owner"}

    page.get_by_role("link", name=f"Back to {target.member.email}").click()
    expect(page).to_have_url(live_server.url + member_url)
    page.goto(
        live_server.url
        + reverse("access:revoke", args=[target.member_id])
        + f"?tenant={tenant.tenant_id}"
    )
    page.get_by_role("button", name="Remove access").click()
    expect(page.get_by_role("heading", name="Access removed: 1 of 1 tenant")).to_be_visible()
    assert upstream_roles(target.member_id, tenant.tenant_id) == set()
