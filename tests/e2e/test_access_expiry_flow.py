"""Browser journeys: an owner grants access that ends in two minutes, sees the countdown and the
list of ends, and sees the access gone once the scheduled revoke ran past the end; an owner
previews and applies “Give the same access as …”.

With TEAMSADMIN_SCREENSHOTS=<dir> it saves the list of ends and the copy preview at 1280 and
390 px wide; every run checks that neither scrolls sideways on a phone.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.access import scheduled, services
from apps.access.models import AccessExpiry
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.teamsapi.contract import TenantRole
from tests.access.conftest import mirror, pick, upstream_roles
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.sandbox import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_grants_access_for_two_minutes_and_sees_it_removed(
    live_server: LiveServer, page: Page, sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    target = pick(mirror(auth_tenant))
    tenant = target.free[0]
    member_url = live_server.url + reverse("members:detail", args=[target.member_id])
    sign_in(page, live_server, Role.OWNER)
    page.goto(live_server.url + reverse("access:grant", args=[target.member_id]))
    page.get_by_label(f"{tenant.tenant_name} · {tenant.environment}", exact=True).check()
    page.get_by_label("Viewer – Config settings", exact=True).check()
    ends = timezone.localtime(timezone.now() + timedelta(minutes=2)).replace(second=0)
    page.get_by_label("Access ends").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("heading", name="Access granted: 1 of 1 tenant")).to_be_visible()

    page.goto(member_url)
    panel = page.locator(".access-panel")
    expect(panel.get_by_role("row", name=tenant.tenant_name)).to_contain_text(
        re.compile(r"expires in [12] min")
    )
    page.goto(live_server.url + reverse("access:expiring"))
    expect(page.get_by_role("heading", name="Expires this week (1)")).to_be_visible()
    at_both_widths(page, "access-expiring")

    # The end passes (moved rather than waited for), then the beat task's run removes it.
    AccessExpiry.objects.update(ends_at=timezone.now() - timedelta(seconds=1))
    run = scheduled.access_expired_revoke()
    assert run.removed == [tenant.tenant_id]

    page.goto(member_url)
    expect(panel.get_by_role("row", name=tenant.tenant_name)).to_have_count(0)
    assert upstream_roles(target.member_id, tenant.tenant_id) == set()


def test_owner_copies_a_colleagues_access(
    live_server: LiveServer, page: Page, sandbox: Sandbox, auth_tenant: AuthTenant, owner: User
) -> None:
    target = pick(mirror(auth_tenant), free=3)
    colleague = (
        target.member.__class__.objects.filter(auth_tenant=auth_tenant, removed_at=None)
        .exclude(pk=target.member.pk)
        .first()
    )
    assert colleague is not None
    services.tenant_access_grant(
        actor=owner,
        auth_tenant=auth_tenant,
        member_id=colleague.member_id,
        tenant_ids=[t.tenant_id for t in target.free[:3]],
        roles=[TenantRole.VIEWER_CONFIG.value],
    )
    sign_in(page, live_server, Role.OWNER)
    page.goto(live_server.url + reverse("members:detail", args=[target.member_id]))
    page.get_by_role("link", name="Give the same access as…").click()
    page.get_by_label("Search colleagues").fill(colleague.email)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Preview access of {colleague.email}").click()
    expect(page.get_by_role("heading", name="Tenants to add")).to_contain_text("(")
    expect(
        page.get_by_text("copying never removes access").or_(
            page.get_by_text("no access the colleague lacks")
        )
    ).to_be_visible()
    at_both_widths(page, "access-copy-preview")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", name="Access granted")).to_be_visible()
    for tenant in target.free[:3]:
        assert TenantRole.VIEWER_CONFIG.value in upstream_roles(target.member_id, tenant.tenant_id)
