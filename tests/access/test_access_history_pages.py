"""The access history pages and their CSV: exact answers on a known access_timeline, boundaries,
scopes, refused input, and a query count that does not grow with the rows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.directory.models import DirectoryAccess, DirectoryMember
from tests.fixtures.directory import T0, T1, Directory

AS_OF, CHANGES = reverse("access:as-of"), reverse("access:changes")
AS_OF_CSV, CHANGES_CSV = reverse("access:as-of-export"), reverse("access:changes-export")


def _csv(client: Client, url: str, **query: str) -> list[dict[str, str]]:
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _who(rows: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    return {(r["member_email"], r["tenant_name"], r["roles"]) for r in rows}


BEFORE_T1 = {
    ("ada@acme.test", "acme-prod", "owner"),
    ("bob@acme.test", "acme-prod", "editor-users"),
    ("bob@acme.test", "acme-dev", "viewer-config"),
    ("lee@acme.test", "acme-dev", "viewer-users"),
}
FROM_T1 = {
    ("ada@acme.test", "acme-prod", "editor-users"),
    ("bob@acme.test", "acme-dev", "viewer-config"),
    ("lee@acme.test", "acme-dev", "viewer-users"),
}


def test_access_at_an_instant_includes_changes_dated_then(
    access_timeline: Directory, auditor_client: Client
) -> None:
    at_t1 = _csv(auditor_client, AS_OF_CSV, date="2026-11-10", time="12:00")
    just_before = _csv(auditor_client, AS_OF_CSV, date="2026-11-10", time="11:59:59.999999")
    assert _who(at_t1) == FROM_T1
    assert _who(just_before) == BEFORE_T1
    assert _who(_csv(auditor_client, AS_OF_CSV, date="2026-11-01", time="08:59:59.999999")) == set()
    assert _who(_csv(auditor_client, AS_OF_CSV, date="2026-11-20", time="08:30")) == {
        ("ada@acme.test", "acme-prod", "editor-users"),
        ("bob@acme.test", "acme-dev", "viewer-config"),
    }
    ada = next(row for row in at_t1 if row["member_email"] == "ada@acme.test")
    assert (ada["from"], ada["until"]) == ("2026-11-10T12:00:00Z", "")


def test_a_date_alone_lists_every_period_held_that_day(
    access_timeline: Directory, auditor_client: Client
) -> None:
    assert _who(_csv(auditor_client, AS_OF_CSV, date="2026-11-10")) == BEFORE_T1 | FROM_T1
    assert _who(_csv(auditor_client, AS_OF_CSV, date="2026-10-31")) == set()


def test_a_tenant_or_a_member_narrows_the_answer(
    access_timeline: Directory, auditor_client: Client
) -> None:
    prod = access_timeline.prod.tenant_id
    by_tenant = _csv(auditor_client, AS_OF_CSV, date="2026-11-10", time="11:00", tenant=prod)
    by_member = _csv(
        auditor_client, AS_OF_CSV, date="2026-11-10", time="11:00", member="BOB@acme.test"
    )
    assert _who(by_tenant) == {r for r in BEFORE_T1 if r[1] == "acme-prod"}
    assert _who(by_member) == {r for r in BEFORE_T1 if r[0] == "bob@acme.test"}


def test_changes_between_two_dates_say_what_changed_and_when(
    access_timeline: Directory, auditor_client: Client
) -> None:
    rows = _csv(auditor_client, CHANGES_CSV, since="2026-11-10", until="2026-11-20")
    assert [
        (r["at"], r["change"], r["member_email"], r["tenant_name"], r["old_roles"], r["new_roles"])
        for r in rows
    ] == [
        ("2026-11-10T12:00:00Z", "roles changed", "ada@acme.test", "acme-prod", "owner", "editor-users"),
        ("2026-11-10T12:00:00Z", "removed", "bob@acme.test", "acme-prod", "editor-users", ""),
        ("2026-11-20T08:30:00Z", "removed", "lee@acme.test", "acme-dev", "viewer-users", ""),
    ]  # fmt: skip
    # Both ends are included, to the instant; a window ending just before T2 leaves Lee out.
    ends_before = _csv(
        auditor_client, CHANGES_CSV, since="2026-11-10", since_time="12:00",
        until="2026-11-20", until_time="08:29:59.999999",
    )  # fmt: skip
    assert [r["member_email"] for r in ends_before] == ["ada@acme.test", "bob@acme.test"]
    starts_after = _csv(
        auditor_client, CHANGES_CSV, since="2026-11-10", since_time="12:00:00.000001",
        until="2026-11-20", until_time="08:30",
    )  # fmt: skip
    assert [r["member_email"] for r in starts_after] == ["lee@acme.test"]
    only_dev = _csv(auditor_client, CHANGES_CSV, since="2026-11-01", until="2026-11-30",
                    tenant=access_timeline.dev.tenant_id)  # fmt: skip
    assert [(r["change"], r["member_email"]) for r in only_dev] == [
        ("added", "bob@acme.test"),
        ("added", "lee@acme.test"),
        ("removed", "lee@acme.test"),
    ]


def test_the_pages_show_the_same_answer_to_auditors_and_helpdesk(
    access_timeline: Directory, auditor_client: Client, helpdesk_client: Client
) -> None:
    for client in (auditor_client, helpdesk_client):
        page = client.get(AS_OF, {"date": "2026-11-10", "time": "12:00"}).content.decode()
        assert "3 access periods held at" in page
        assert "Bob Byte" in page and "Editor – Users" in page
        changes = client.get(CHANGES, {"since": "2026-11-10", "until": "2026-11-10"})
        text = changes.content.decode()
        assert "2 changes from" in text
        assert "Roles changed" in text and "Removed" in text


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        (AS_OF, {"date": "2026-02-30"}, "Enter a valid date."),
        (AS_OF, {"time": "10:00"}, "Enter a date for this time."),
        (AS_OF, {"date": "2026-11-10", "time": "25:00"}, "Enter a valid time."),
        (AS_OF, {"member": "nobody@acme.test"}, "Nobody with this email has been a member"),
        (AS_OF, {"tenant": "not-a-tenant"}, "Select a valid choice."),
        (CHANGES, {"since": "2026-11-20", "until": "2026-11-10"}, "The end is before the start."),
        (CHANGES, {"until_time": "10:00"}, "Enter a date for this time."),
    ],
)
def test_invalid_filters_say_why_and_list_nothing(
    access_timeline: Directory,
    auditor_client: Client,
    url: str,
    query: dict[str, str],
    message: str,
) -> None:
    response = auditor_client.get(url, query)
    text = response.content.decode()
    assert response.status_code == 200
    assert message in text
    assert "Nothing is listed until the filters above are corrected." in text
    assert "ada@acme.test" not in text
    export = auditor_client.get(AS_OF_CSV if url == AS_OF else CHANGES_CSV, query)
    assert export.status_code == 400
    assert not export["Content-Type"].startswith("text/csv")
    assert message in export.content.decode()


def test_without_dates_the_pages_show_now_and_the_last_thirty_days(
    directory: Directory, auditor_client: Client
) -> None:
    now = _csv(auditor_client, AS_OF_CSV)
    assert _who(now) == {
        ("ada@acme.test", "acme-prod", "owner"),
        ("ada@acme.test", "acme-dev", "owner; editor-users"),
        ("bob@acme.test", "acme-dev", "viewer-config"),
    }
    recent = _csv(auditor_client, CHANGES_CSV)
    assert sorted((r["change"], r["member_email"], r["tenant_name"]) for r in recent) == [
        ("added", "ada@acme.test", "acme-dev"),
        ("added", "ada@acme.test", "acme-prod"),
        ("added", "bob@acme.test", "acme-dev"),
        ("added", "bob@acme.test", "acme-prod"),
        ("removed", "bob@acme.test", "acme-prod"),
    ]


def test_formula_cells_are_neutralised_in_the_csv(
    access_timeline: Directory, auditor_client: Client
) -> None:
    DirectoryMember.objects.filter(pk=access_timeline.bob.pk).update(name="=HYPERLINK(1)")
    rows = _csv(auditor_client, AS_OF_CSV, member="bob@acme.test")
    changes = _csv(auditor_client, CHANGES_CSV, member="bob@acme.test", since="2026-11-01")
    assert {r["member_name"] for r in rows + changes} == {"'=HYPERLINK(1)"}


def _queries(client: Client, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (AS_OF, {"date": "2026-11-10"}),
        (AS_OF_CSV, {"date": "2026-11-10"}),
        (CHANGES, {"since": "2026-11-01", "until": "2026-11-30"}),
        (CHANGES_CSV, {"since": "2026-11-01", "until": "2026-11-30"}),
    ],
)
def test_the_query_count_does_not_grow_with_the_rows(
    access_timeline: Directory, auditor_client: Client, url: str, query: dict[str, str]
) -> None:
    auditor_client.get(url, query)  # the session and the role are cached after the first
    few = _queries(auditor_client, url, query)
    members = DirectoryMember.objects.bulk_create(
        DirectoryMember(
            auth_tenant=access_timeline.auth_tenant,
            member_id=f"auth0|many{n}",
            email=f"many{n}@acme.test",
            role="teams_contributor",
            first_seen_at=T0,
        )
        for n in range(40)
    )
    DirectoryAccess.objects.bulk_create(
        DirectoryAccess(
            auth_tenant=access_timeline.auth_tenant,
            member=member,
            tenant=access_timeline.prod,
            roles=["viewer-users"],
            first_seen_at=T1 - timedelta(hours=n),
            removed_at=T1 + timedelta(hours=n + 1),
        )
        for n, member in enumerate(members)
    )
    many = _queries(auditor_client, url, query)
    assert many == few
    assert many <= 8


def test_a_page_asked_by_htmx_returns_only_its_table(
    access_timeline: Directory, auditor_client: Client
) -> None:
    response = auditor_client.get(
        CHANGES, {"since": "2026-11-10", "until": "2026-11-10"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="changes-table">')
    assert "<form" not in text


def test_member_and_tenant_pages_link_to_their_history(
    access_timeline: Directory, auditor_client: Client
) -> None:
    member_page = auditor_client.get(
        reverse("members:detail", args=[access_timeline.bob.member_id])
    )
    tenant_page = auditor_client.get(
        reverse("tenants:detail", args=[access_timeline.gone.tenant_id])
    )
    assert f'href="{CHANGES}?member=bob%40acme.test"' in member_page.content.decode()
    assert (
        f'href="{CHANGES}?tenant={access_timeline.gone.tenant_id}"' in tenant_page.content.decode()
    )
    nav = auditor_client.get(CHANGES).content.decode()
    assert f'<a href="{AS_OF}">Access history</a>' in nav


def test_dates_before_the_first_read_say_nothing_is_known_then(
    access_timeline: Directory, auditor_client: Client
) -> None:
    def warned(url: str, **query: str) -> bool:
        return "directory was first read" in auditor_client.get(url, query).content.decode()

    assert warned(AS_OF, date="2026-10-31")
    assert warned(AS_OF, date="2026-11-01", time="08:59")
    assert not warned(AS_OF, date="2026-11-01", time="09:00")
    assert warned(CHANGES, since="2026-10-01", until="2026-11-30")
    assert not warned(CHANGES, since="2026-11-02", until="2026-11-30")
