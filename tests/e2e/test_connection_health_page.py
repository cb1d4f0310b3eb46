"""The Auth Tenants page and the top bar show each Auth Tenant's connection health, on a phone too."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.authtenants import health
from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.teamsapi.errors import TokenError
from tests.e2e.conftest import at_both_widths, sign_in
from tests.factories import AuthClientFactory, AuthTenantFactory
from tests.fixtures.sandbox import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_sees_which_auth_tenant_is_online_and_why_another_is_offline(
    live_server: LiveServer, page: Page, sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    with teams_client(auth_tenant) as client:
        assert list(client.list_tenants())
    other = AuthTenantFactory.create(
        name="Globex (EU)", team_slug="globex", domain="globex.eu.auth0.com"
    )
    refused = TokenError(
        "Could not get a token from globex.eu.auth0.com: the client secret is wrong."
    )
    AuthClientFactory.create(
        auth_tenant=other,
        label="Read-only sync",
        client_id="globexReader",
        token_last_error_at=timezone.now(),
        token_last_error=refused.message,
    )
    health.record(other.pk, ok=False, token=True, error=refused)
    sign_in(page, live_server, Role.OWNER)
    page.goto(f"{live_server.url}/auth-tenants/")
    acme = page.locator(f"#authtenant-{auth_tenant.pk}")
    expect(acme.locator(".health-online")).to_have_text("Online")
    globex = page.locator(f"#authtenant-{other.pk}")
    expect(globex.locator(".health-offline")).to_have_text("Offline")
    expect(globex).to_contain_text("the client secret is wrong")
    # The top bar: the team shown (the first by name) and its state, linking to its card.
    top = page.locator("header .health")
    expect(top).to_contain_text("Online")
    expect(top).to_have_attribute("href", f"/auth-tenants/#authtenant-{auth_tenant.pk}")
    at_both_widths(page, "authtenant-health")
    page.goto(f"{live_server.url}/auth-tenants/?auth_tenant={other.pk}")
    expect(page.locator("header .health")).to_contain_text("Offline")
