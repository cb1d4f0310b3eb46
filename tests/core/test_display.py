"""People read labels, readable activity details and one date format; slugs stay in exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.activity.models import ActivityEvent
from teamsadmin import display
from teamsadmin.display import details_list, role_badge, role_label
from tests.factories import AuthTenantFactory
from tests.fixtures.directory import Directory

MOMENT = datetime(2026, 11, 1, 9, 30, 15, tzinfo=UTC)


def test_role_label_reads_team_and_tenant_roles_and_keeps_unknown_ones() -> None:
    assert role_label("teams_owner") == "Team owner"
    assert role_label("teams_tenant_manager") == "Tenant manager"
    assert role_label("teams_report_viewer") == "Report viewer"
    assert role_label("teams_contributor") == "Contributor"
    assert role_label("viewer-config") == "Viewer – Config settings"
    assert role_label("teams_future_role") == "teams_future_role"
    assert role_label(None) == ""


def test_details_are_a_definition_list_with_nested_values_and_verbatim_ids() -> None:
    html = details_list(
        {
            "member_id": "auth0|42",
            "from_role": "teams_contributor",
            "to_role": "teams_owner",
            "roles": ["owner", "editor-users"],
            "request": {"source_ip": "203.0.113.9", "tags": []},
            "note": "<script>alert(1)</script>",
            "reason": None,
        }
    )
    assert html.startswith('<dl class="details">')
    assert "<dt>Member id</dt><dd><code>auth0|42</code></dd>" in html
    assert "<dt>From role</dt><dd>Contributor</dd><dt>To role</dt><dd>Team owner</dd>" in html
    assert "<dt>Roles</dt><dd>Admin, Editor – Users</dd>" in html
    assert (
        '<dt>Request</dt><dd><dl class="details"><dt>Source ip</dt><dd>203.0.113.9</dd>'
        '<dt>Tags</dt><dd><span class="muted">none</span></dd></dl></dd>'
    ) in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<dt>Reason</dt><dd><span class="muted">—</span></dd>' in html
    assert "{" not in html


def test_dates_in_tables_and_date_inputs_agree() -> None:
    html = Template('{{ moment|date:"DATETIME_FORMAT" }} · {{ moment|date }}').render(
        Context({"moment": MOMENT})
    )
    assert html == "2026-11-01 09:30 UTC · 2026-11-01"


@override_settings(TIME_ZONE="Pacific/Kiritimati")  # UTC+14: the day differs from UTC's
def test_day_in_table_rows_reads_as_the_date_filter() -> None:
    late = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    template = Template("{% load display %}{{ v|day }}|{{ v|date }}")
    for value in (MOMENT, late, date(987, 3, 4), None, ""):
        shown, expected = template.render(Context({"v": value})).split("|")
        assert shown == expected, value
    assert Template("{% load display %}{{ v|day }}").render(Context({"v": late})) == "2026-11-02"


def test_role_badge_labels_the_role_and_marks_the_team_owner() -> None:
    assert role_badge("teams_owner") == '<span class="badge warn">Team owner</span>'
    assert role_badge("teams_contributor") == '<span class="badge">Contributor</span>'
    assert role_badge("<b>new</b>") == '<span class="badge">&lt;b&gt;new&lt;/b&gt;</span>'
    assert role_badge("") == '<span class="badge">no role</span>'


def test_member_pages_show_role_labels_not_slugs(
    owner_client: Client, directory: Directory
) -> None:
    page = owner_client.get(reverse("members:list")).content.decode()
    listing = page.partition('id="member-table"')[2]
    assert ">Team owner</span>" in listing and ">Contributor</span>" in listing
    assert ">teams_owner<" not in listing
    detail = owner_client.get(reverse("members:detail", args=[directory.ada.member_id]))
    html = detail.content.decode()
    assert "Admin" in html and "Editor – Users" in html
    assert ">editor-users<" not in html and ">owner<" not in html


def test_tenant_page_shows_tenant_role_labels(owner_client: Client, directory: Directory) -> None:
    html = owner_client.get(
        reverse("tenants:detail", args=[directory.dev.tenant_id])
    ).content.decode()
    assert '<span class="badge">Viewer – Config settings</span>' in html
    assert ">viewer-config<" not in html


def test_activity_shows_details_as_a_list_and_iso_times(auditor_client: Client) -> None:
    ActivityEvent.objects.create(
        auth_tenant=AuthTenantFactory.create(),
        external_id="e-1",
        type="Team Member",
        status="Success",
        current_event="member_role_updated",
        actor_id="auth0|actor",
        actor_name="Ada",
        actor_type="user",
        created_at=MOMENT,
        details={"member_id": "auth0|m1", "to_role": "teams_report_viewer"},
    )
    html = auditor_client.get(reverse("activity:list"), {"since": "2026-10-31"}).content.decode()
    # PostgreSQL's jsonb keeps keys in its own order, so each pair is looked for alone.
    assert '<dl class="details"><dt>' in html
    assert "<dt>Member id</dt><dd><code>auth0|m1</code></dd>" in html
    assert "<dt>To role</dt><dd>Report viewer</dd>" in html
    assert "{&#x27;" not in html and "{'" not in html
    assert ">2026-11-01 09:30 UTC</time>" in html
    assert 'value="2026-10-31"' in html  # the date input, in the same year-month-day order
    export = auditor_client.post(reverse("activity:export"), {"export_format": "csv"})
    body = export.getvalue().decode()
    assert "teams_report_viewer" in body  # exports keep the API's values


def test_ago_says_just_now_under_a_minute() -> None:
    now = timezone.now()
    assert display.ago(now - timedelta(seconds=5)) == "just now"
    assert display.ago(now - timedelta(minutes=3, seconds=5)) == "3\xa0minutes ago"
    assert display.ago(None) == ""
