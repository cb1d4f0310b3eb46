"""Browser flows: helpdesk looks a person up; an auditor filters the activity log, opens an event
and the member it names, and exports what they see, with no write button on the way."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from apps.activity.models import ActivityEvent
from apps.core.capabilities import Role
from tests.e2e.conftest import at_both_widths, sign_in
from tests.fixtures.directory import Directory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_helpdesk_finds_a_member_and_opens_their_access(
    live_server: LiveServer, page: Page, directory: Directory
) -> None:
    sign_in(page, live_server, Role.HELPDESK)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page.locator("#member-table")).to_contain_text("2 members")
    page.get_by_label("Search").fill("bob@")
    expect(page.locator("#member-table")).to_contain_text("1 member")
    expect(page).to_have_url(f"{live_server.url}/members/?q=bob%40&role=")
    page.get_by_role("link", name="Bob Byte").click()
    expect(page.get_by_role("heading", name="Bob Byte")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Viewer – Config settings")
    # Helpdesk has no Activity section.
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity")
    ).to_have_count(0)


def test_auditor_filters_activity_and_exports_what_they_see(
    live_server: LiveServer, page: Page, directory: Directory
) -> None:
    now = timezone.now()
    for n, status in enumerate(["Success", "Failure", "Success", "Failure", "Success"]):
        ActivityEvent.objects.create(
            auth_tenant=directory.auth_tenant,
            external_id=f"00000000-0000-4000-8000-{n:012d}",
            type="Team Member",
            status=status,
            current_event=f"event_{n}",
            actor_name="Ada Lovelace",
            created_at=now - timedelta(minutes=n),
            details={"member_id": directory.bob.member_id},
        )
    for n, days in enumerate([2, 40]):  # another type: one this week, one long ago
        ActivityEvent.objects.create(
            auth_tenant=directory.auth_tenant,
            external_id=f"00000000-0000-4000-9000-{n:012d}",
            type="Tenant Activity",
            status="Success",
            current_event=f"tenant_created_{n}",
            actor_name="Ada Lovelace",
            created_at=now - timedelta(days=days),
        )
    sign_in(page, live_server, Role.AUDITOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    table = page.locator("#event-table")
    expect(table).to_contain_text("7 events")
    _no_write_buttons(page)
    page.get_by_label("Type").select_option("Tenant Activity")
    page.get_by_label("When").select_option(label="Last 7 days")
    expect(table).to_contain_text("1 event")
    expect(table).to_contain_text("Tenant created 0")
    page.get_by_label("Type").select_option("Team Member")
    expect(table).to_contain_text("5 events")
    page.get_by_role("link", name="Event 3").click()
    expect(page.get_by_role("heading", name="Event 3")).to_be_visible()
    at_both_widths(page, "activity-event")
    _no_write_buttons(page)
    page.get_by_role("link", name="Bob Byte").first.click()
    expect(page.get_by_role("heading", name="Bob Byte")).to_be_visible()
    _no_write_buttons(page)
    page.go_back()
    expect(page.get_by_role("heading", name="Event 3")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(table).to_contain_text("7 events")
    page.get_by_label("Type").select_option("Team Member")
    expect(table).to_contain_text("5 events")
    page.get_by_label("Status").select_option("Failure")
    expect(table).to_contain_text("2 events")
    expect(page).to_have_url(
        f"{live_server.url}/activity/?auth_tenant={directory.auth_tenant.pk}&q=&range=&since="
        "&until=&type=Team%20Member&status=Failure&actor=&actor_type=&target="
    )
    # The per-day chart loads into the table's region for the same filters.
    expect(page.locator("#event-chart svg.day-bars")).to_be_visible()
    at_both_widths(page, "activity-history")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export").click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))  # noqa: SIM115
    assert sorted(row["current_event"] for row in rows) == ["event_1", "event_3"]
    page.get_by_label("Format").select_option(label="JSON Lines (one JSON object per line)")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export").click()
    with open(download_info.value.path(), encoding="utf-8") as body:
        lines = [json.loads(line) for line in body]
    assert sorted(line["current_event"] for line in lines) == ["event_1", "event_3"]


def _no_write_buttons(page: Page) -> None:
    """An auditor changes nothing: no button or link that would invite, change or remove."""
    writes = re.compile(r"\b(invite|remove|delete|grant|change|revoke)\b|new tenant", re.IGNORECASE)
    expect(page.get_by_role("button", name=writes)).to_have_count(0)
    expect(page.get_by_role("link", name=writes)).to_have_count(0)
