"""Under the Content-Security-Policy the pages and their htmx work, and nothing is refused.

An owner browses the main pages, types into htmx filters, opens a tenant's delete confirmation
and sends an invitation, while the browser collects console errors, page errors and
securitypolicyviolation events. Any inline script, inline style or eval would show up there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.activity.services import activity_sync
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.directory.models import DirectoryTenant
from apps.directory.services import directory_sync
from tests.e2e.conftest import sign_in
from tests.factories import AuthTenantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts; the browser adds it outside the page's policy.
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Problems:
    """Console errors and page errors seen so far, and the current page's CSP violations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(f"{message.text} ({self.page.url})")

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations || []"))

    def assert_none(self, where: str) -> None:
        assert self.violations() == [], f"{where}: {self.violations()}"
        assert self.console == [], f"{where}: {self.console}"


@pytest.fixture
def problems(page: Page) -> Iterator[Problems]:
    page.context.add_init_script(COLLECT_VIOLATIONS)
    yield Problems(page)


@pytest.fixture
def synced(auth_tenant: AuthTenant) -> AuthTenant:
    directory_sync(auth_tenant=auth_tenant)
    activity_sync(auth_tenant=auth_tenant)
    return auth_tenant


def test_the_collector_sees_what_the_policy_refuses(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    problems.assert_none("the sign-in page")
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<img src="/favicon.ico" onload="window.__ran = 1">');"""
    )
    page.wait_for_function("window.__violations.length > 0")

    assert problems.violations()[0].startswith("script-src")
    assert page.evaluate("window.__ran") is None
    assert any("Content Security Policy" in line for line in problems.console)


def test_an_owner_uses_the_pages_and_htmx_without_a_violation(
    live_server: LiveServer, page: Page, problems: Problems, synced: AuthTenant
) -> None:
    base = live_server.url
    other = AuthTenantFactory.create(name="Globex")
    sign_in(page, live_server, Role.OWNER)
    problems.assert_none("signing in")
    # htmx read its settings from the <meta> tag: no inline style of its own, no eval.
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.locator("head style").count() == 0

    # Activity: typing in the filter swaps the table through htmx and pushes the URL; the chart
    # loads through htmx too.
    page.goto(f"{base}/activity/")
    expect(page.locator("#event-table")).to_contain_text("events")
    expect(page.locator("svg.day-bars")).to_be_visible()
    page.get_by_label("Search").press_sequentially("member", delay=20)
    expect(page).to_have_url(re.compile(r"/activity/\?.*q=member"))
    expect(page.locator("#event-table")).to_be_visible()
    problems.assert_none("the activity filter")

    # Tenants: the search swaps the list through htmx; then a tenant's delete confirmation.
    tenant = DirectoryTenant.objects.filter(auth_tenant=synced, removed_at=None).first()
    assert tenant is not None
    page.goto(f"{base}/tenants/")
    page.get_by_label("Search").fill(tenant.tenant_name)
    expect(page).to_have_url(re.compile(r"/tenants/\?.*q="))
    page.get_by_role("link", name=tenant.tenant_name, exact=True).click()
    page.get_by_role("link", name="Delete tenant").click()
    page.get_by_label("Type the tenant's name to confirm").fill(tenant.tenant_name)
    page.get_by_role("button", name="Delete this tenant").click()
    expect(page.get_by_text(f"Tenant {tenant.tenant_name} was deleted.")).to_be_visible()
    problems.assert_none("deleting a tenant")

    # Members: the invite form.
    page.goto(f"{base}/members/invite/")
    page.get_by_label("Email").fill("csp-check@acme.test")
    page.get_by_label("Team role").select_option(label="Report viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to csp-check@acme.test")).to_be_visible()
    problems.assert_none("inviting a member")

    # The remaining pages, each checked once loaded (htmx polling on Sync status included).
    for path in ("/", "/members/", "/audit/", "/auth-tenants/", "/sync/", "/access/as-of/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        problems.assert_none(path)

    # The team switcher sends its form on change from app.js (no inline handler).
    page.locator("#team-switch").select_option(label=other.name)
    expect(page).to_have_url(re.compile(rf"auth_tenant={other.pk}"))
    problems.assert_none("switching teams")
