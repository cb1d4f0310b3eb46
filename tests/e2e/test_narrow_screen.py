"""At 390 px (a phone) no page scrolls sideways: wide tables scroll inside their card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from apps.accounts.services import user_ensure
from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction, AuditOutcome
from apps.audit.services import audit_record
from apps.core.capabilities import Role
from apps.directory.models import Invitation
from tests.fixtures.directory import Directory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def _phone(browser: Browser, live_server: LiveServer, role: Role) -> Page:
    user_ensure(username=f"narrow-{role.value}", password="narrow-password", role=role)  # noqa: S106
    page = browser.new_context(viewport={"width": WIDTH, "height": 844}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(f"narrow-{role.value}")
    page.get_by_label("Password").fill("narrow-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _overflowing(page: Page, live_server: LiveServer, paths: list[str]) -> dict[str, int]:
    widths = {}
    for path in paths:
        page.goto(live_server.url + path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    return {path: width for path, width in widths.items() if width > WIDTH}


def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, live_server: LiveServer, directory: Directory
) -> None:
    ActivityEvent.objects.create(
        auth_tenant=directory.auth_tenant,
        external_id="00000000-0000-4000-8000-000000000001",
        type="Tenant Member",
        status="Success",
        current_event="tenant_member_updated",
        actor_name="Ada Lovelace",
        created_at=timezone.now() - timedelta(minutes=5),
        details={"member_id": directory.bob.member_id, "roles": ["editor-users"]},
    )
    audit_record(
        actor=None,
        auth_tenant=directory.auth_tenant,
        action=AuditAction.TENANT_ACCESS_GRANT,
        target_type="member",
        target_id=directory.bob.member_id,
        target_label="bob@acme.test",
        parameters={"tenant_ids": [directory.prod.tenant_id], "roles": ["editor-users"]},
        outcome=AuditOutcome.PARTIAL,
        message="1 of 2 tenants done; failed: acme-old (Tenant not in team).",
    )
    invitation = Invitation.objects.create(
        auth_tenant=directory.auth_tenant,
        email="a-rather-long-address.for-a-phone@subdomain.acme.test",
        team_role="teams_contributor",
    )
    owner = _phone(browser, live_server, Role.OWNER)
    pk = directory.auth_tenant.pk
    paths = [
        reverse("core:home"),
        reverse("tenants:list"),
        reverse("tenants:detail", args=[directory.dev.tenant_id]),
        reverse("members:list"),
        reverse("members:detail", args=[directory.ada.member_id]),
        reverse("members:invitations"),
        reverse("members:invitation-resend", args=[invitation.pk]),
        reverse("members:invitation-withdraw", args=[invitation.pk]),
        reverse("activity:list"),
        reverse("activity:verify"),
        reverse("audit:list"),
        reverse("reviews:list"),
        reverse("authtenants:list"),
        reverse("authtenants:edit", args=[pk]),
        reverse("authtenants:delete", args=[pk]),
        reverse("sync:status"),
        "/no-such-page/",
    ]
    assert _overflowing(owner, live_server, paths) == {}
    # A table wider than the screen scrolls inside its card instead of the page.
    owner.goto(live_server.url + reverse("activity:list"))
    table = "document.querySelector('#event-table table')"
    assert owner.evaluate(f"getComputedStyle({table}).overflowX") == "auto"
    # The archive check's result, a break with its two hashes (the event above is unchained).
    owner.goto(live_server.url + reverse("activity:verify"))
    owner.get_by_role("button", name="Verify the archive").click()
    owner.locator("#verify-result table").wait_for()
    assert owner.evaluate("document.documentElement.scrollWidth") <= WIDTH

    helpdesk = _phone(browser, live_server, Role.HELPDESK)
    assert _overflowing(helpdesk, live_server, [reverse("activity:list")]) == {}  # the 403 page
    owner.context.close()
    helpdesk.context.close()
