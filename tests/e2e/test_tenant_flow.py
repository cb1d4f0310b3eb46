"""Browser journey: an owner creates a public tenant, copies its credentials once, deletes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.directory.services import directory_sync
from tests.e2e.conftest import at_both_widths, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_creates_a_public_tenant_sees_the_credentials_once_and_deletes_it(
    live_server: LiveServer, page: Page, auth_tenant: AuthTenant
) -> None:
    directory_sync(auth_tenant=auth_tenant)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server, Role.OWNER)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Tenants", exact=True
    ).click()
    page.get_by_role("link", name="Create tenant").click()
    expect(page.get_by_role("heading", name="Create a tenant")).to_be_visible()
    page.get_by_label("Tenant name").fill("journey-tenant")
    page.get_by_label("Admin").select_option(index=1)
    page.get_by_label("Region (public cloud)").select_option(label="Europe (EU-1)")
    page.get_by_label("Environment tag (public cloud)").select_option(label="Staging")
    at_both_widths(page, "tenant-create")
    page.get_by_role("button", name="Create tenant").click()

    expect(page.get_by_role("heading", name="Management client credentials")).to_be_visible()
    expect(page.get_by_text("cannot be shown again")).to_be_visible()
    secret = page.locator("#client-secret").inner_text().strip()
    assert len(secret) >= 16
    page.get_by_role("button", name="Copy").nth(1).click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    at_both_widths(page, "tenant-credentials")

    page.get_by_role("link", name="open the tenant").click()
    expect(page.get_by_role("heading", name="journey-tenant")).to_be_visible()
    assert secret not in page.content()

    page.goto(f"{live_server.url}/tenants/")
    page.get_by_role("link", name="journey-tenant").click()
    page.get_by_role("link", name="Delete tenant").click()
    expect(page.get_by_text("only through Auth0 support")).to_be_visible()
    page.get_by_label("Type the tenant's name to confirm").fill("journey-tenant")
    at_both_widths(page, "tenant-delete")
    page.get_by_role("button", name="Delete this tenant").click()
    expect(page.get_by_text("Tenant journey-tenant was deleted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Tenants")).to_be_visible()
    expect(page.get_by_role("link", name="journey-tenant")).to_have_count(0)
