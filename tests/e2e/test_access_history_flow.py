"""Browser flow: an auditor asks who had access at a moment, then what changed around it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.core.capabilities import Role
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.directory import Directory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_auditor_reads_access_on_a_date_and_the_changes_since(
    live_server: LiveServer, page: Page, access_timeline: Directory
) -> None:
    sign_in(page, live_server, Role.AUDITOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access history").click()
    expect(page.get_by_role("heading", name="Access on a date")).to_be_visible()
    page.get_by_label("Date").fill("2026-11-10")
    page.get_by_label("Time").fill("11:00")
    page.get_by_label("Tenant").select_option(label="acme-prod · US-3")
    table = page.locator("#as-of-table")
    expect(table).to_contain_text("2 access periods held at 2026-11-10 11:00:00 UTC")
    expect(table).to_contain_text("Bob Byte")
    expect(table).to_contain_text("Admin")
    assert "tenant=" in page.url and "date=2026-11-10" in page.url
    at_both_widths(page, "access-as-of")

    page.get_by_role("link", name="Changes for this choice").click()
    expect(page.get_by_label("Tenant")).to_have_value(access_timeline.prod.tenant_id)
    page.get_by_label("From", exact=True).fill("2026-11-10")
    page.get_by_label("To", exact=True).fill("2026-11-10")
    page.get_by_role("button", name="Show").click()
    changes = page.locator("#changes-table")
    expect(changes).to_contain_text(
        "2 changes from 2026-11-10 00:00:00 UTC to 2026-11-10 23:59:59 UTC · tenant acme-prod"
    )
    expect(changes.get_by_role("row").filter(has_text="Ada Lovelace")).to_contain_text(
        "Roles changed"
    )
    expect(changes.get_by_role("row").filter(has_text="Bob Byte")).to_contain_text("Removed")
    at_both_widths(page, "access-changes")
