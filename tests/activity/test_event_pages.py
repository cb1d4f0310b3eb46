"""The Activity page: auditors filter and search the synced log and export exactly what they see."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from apps.activity.models import ActivityEvent
from apps.authtenants.models import AuthTenant
from apps.teamsapi.contract import PAGE_SIZE_MAX
from tests.factories import AuthTenantFactory

BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _event(auth_tenant: AuthTenant, n: int, **fields: object) -> ActivityEvent:
    values: dict[str, object] = {
        "external_id": f"00000000-0000-4000-8000-{n:012d}",
        "type": "Team Member",
        "status": "Success",
        "current_event": "member_role_updated",
        "actor_id": "auth0|ada",
        "actor_type": "user",
        "actor_name": "Ada Lovelace",
        "ip": "203.0.113.7",
        "created_at": BASE - timedelta(hours=n),
        "details": {"member_id": f"auth0|m{n}"},
    }
    values.update(fields)
    return ActivityEvent.objects.create(auth_tenant=auth_tenant, **values)


@pytest.fixture
def log(db: None) -> AuthTenant:
    auth_tenant = AuthTenantFactory.create(name="Acme")
    _event(auth_tenant, 1)
    _event(
        auth_tenant,
        2,
        type="Tenant Activity",
        current_event="tenant_created",
        actor_name="deploy-bot",
        actor_type="machine",
    )
    _event(auth_tenant, 3, status="Failure", current_event="member_deleted")
    _event(
        auth_tenant, 30 * 24, current_event="member_invited", type="Team Invitation"
    )  # a month earlier
    _event(auth_tenant, 4, current_event='=HYPERLINK("http://evil")', actor_name="+cmd")
    return auth_tenant


def _rows(response: StreamingHttpResponse) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(body)))


def test_auditor_sees_the_log_newest_first(auditor_client: Client, log: AuthTenant) -> None:
    page = auditor_client.get(reverse("activity:list")).content.decode()
    assert "5 events" in page
    assert (
        page.index("member_role_updated")
        < page.index("tenant_created")
        < page.index("member_invited")
    )


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"type": "Tenant Activity"}, "tenant_created", "member_role_updated"),
        ({"status": "Failure"}, "member_deleted", "tenant_created"),
        ({"actor": "deploy"}, "tenant_created", "member_deleted"),
        ({"q": "invited"}, "member_invited", "member_deleted"),
        ({"since": "2026-10-25"}, "member_deleted", "member_invited"),
        ({"until": "2026-10-05"}, "member_invited", "member_deleted"),
    ],
)
def test_filters_narrow_the_log(
    auditor_client: Client, log: AuthTenant, query: dict[str, str], shown: str, hidden: str
) -> None:
    page = auditor_client.get(reverse("activity:list"), query).content.decode()
    assert shown in page
    assert hidden not in page


def test_bad_dates_get_a_message_not_an_error(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(
        reverse("activity:list"), {"since": "2026-11-05", "until": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    response = auditor_client.get(reverse("activity:list"), {"since": "yesterday-ish"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_htmx_filtering_swaps_only_the_table(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(
        reverse("activity:list"), {"status": "Failure"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="event-table">')
    assert "1 event" in body


def test_export_link_reuses_the_filters(auditor_client: Client, log: AuthTenant) -> None:
    page = auditor_client.get(
        reverse("activity:list"), {"status": "Failure", "q": "member"}
    ).content.decode()
    assert f'href="{reverse("activity:export")}?status=Failure&amp;q=member"' in page


def test_export_contains_exactly_the_filtered_events(
    auditor_client: Client, log: AuthTenant
) -> None:
    response = auditor_client.get(reverse("activity:export"), {"type": "Team Member"})
    assert response["Content-Type"] == "text/csv"
    assert 'filename="activity-acme-' in response["Content-Disposition"]
    rows = _rows(response)  # type: ignore[arg-type]
    assert [row["current_event"] for row in rows] == [
        "member_role_updated",
        "member_deleted",
        '\'=HYPERLINK("http://evil")',
    ]
    assert rows[0]["details"] == '{"member_id":"auth0|m1"}'
    assert rows[0]["created_at"] == "2026-11-01T11:00:00Z"


def test_export_neutralises_spreadsheet_formulas(auditor_client: Client, log: AuthTenant) -> None:
    rows = _rows(auditor_client.get(reverse("activity:export")))  # type: ignore[arg-type]
    risky = next(row for row in rows if "HYPERLINK" in row["current_event"])
    assert risky["current_event"].startswith("'=")
    assert risky["actor_name"] == "'+cmd"


def test_export_with_invalid_filters_is_refused_with_a_reason(
    auditor_client: Client, log: AuthTenant
) -> None:
    response = auditor_client.get(
        reverse("activity:export"), {"since": "2026-11-05", "until": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "the filters are not valid" in response.content.decode()


def test_helpdesk_cannot_see_or_export_activity(helpdesk_client: Client, log: AuthTenant) -> None:
    assert helpdesk_client.get(reverse("activity:list")).status_code == 403
    assert helpdesk_client.get(reverse("activity:export")).status_code == 403


def test_activity_of_another_auth_tenant_stays_separate(
    auditor_client: Client, log: AuthTenant
) -> None:
    other = AuthTenantFactory.create(name="Zeta")
    _event(other, 99, current_event="zeta_only_event")
    assert "zeta_only_event" not in auditor_client.get(reverse("activity:list")).content.decode()


def test_export_refuses_a_date_beyond_the_calendar(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(reverse("activity:export"), {"until": "9999-12-31"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "the filters are not valid" in body
    assert "Enter a date on or before 9999-12-30." in body


def test_pages_hold_the_contracts_page_size(auditor_client: Client, log: AuthTenant) -> None:
    for n in range(10, 10 + PAGE_SIZE_MAX):
        _event(log, n)
    response = auditor_client.get(reverse("activity:list"))
    first = response.content.decode()
    assert f"{PAGE_SIZE_MAX + 5} events" in first
    assert len(response.context["page"].events) == PAGE_SIZE_MAX
    assert "Older →" in first
