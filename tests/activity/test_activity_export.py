"""Activity export: exactly the filtered events, as CSV or JSON Lines, streamed, POST only, recorded."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from apps.activity import selectors
from apps.activity.chain import chain_head
from apps.activity.forms import ActivityFilterForm
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.core.exports import CHUNK_BYTES
from tests.activity.conftest import event
from tests.exports import chunks, client_goes_away

URL = reverse("activity:export")


def _export(client: Client, **data: str) -> StreamingHttpResponse:
    response = client.post(URL, data)
    assert isinstance(response, StreamingHttpResponse), response.content.decode()
    return response


def _body(response: StreamingHttpResponse) -> str:
    return b"".join(chunks(response)).decode()


def _csv_rows(response: StreamingHttpResponse) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_body(response), newline="")))


def _expected_ids(auth_tenant: AuthTenant, query: dict[str, str]) -> list[str]:
    filters = ActivityFilterForm(query).filters()
    assert filters is not None
    events = selectors.activity_list(auth_tenant=auth_tenant, filters=filters)
    return list(events.values_list("external_id", flat=True))


def test_csv_export_holds_exactly_the_filtered_events(
    auditor_client: Client, log: AuthTenant
) -> None:
    query = {"type": "Team Member", "since": "2026-10-25"}
    response = _export(auditor_client, **query, export_format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="activity-acme-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _csv_rows(response)
    assert [row["id"] for row in rows] == _expected_ids(log, query)
    assert [row["current_event"] for row in rows] == [
        "member_role_updated",
        "member_deleted",
        '\'=HYPERLINK("http://evil")',
    ]
    assert rows[0]["details"] == '{"member_id": "auth0|m1"}'
    assert rows[0]["created_at"] == "2026-11-01T11:00:00Z"


def test_jsonl_export_holds_exactly_the_filtered_events_unaltered(
    auditor_client: Client, log: AuthTenant
) -> None:
    query = {"status": "Success"}
    response = _export(auditor_client, **query, export_format="jsonl")
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    lines = [json.loads(line) for line in _body(response).splitlines()]
    assert [line["id"] for line in lines] == _expected_ids(log, query)
    risky = next(line for line in lines if "HYPERLINK" in line["current_event"])
    assert risky["current_event"] == '=HYPERLINK("http://evil")'  # JSON is data, not cells
    assert lines[0]["details"] == {"member_id": "auth0|m1"}


def test_awkward_text_survives_both_formats(auditor_client: Client, log: AuthTenant) -> None:
    awkward = 'back\\slash "quoted", comma\nnew line\r\nCRLF ünïcødé 𝄞 \t tab'
    event(log, 50, user_agent=awkward, details={"note": awkward, "nested": {"a": [1, "\\"]}})
    by_csv = {r["id"]: r for r in _csv_rows(_export(auditor_client, export_format="csv"))}
    by_json = {
        line["id"]: line
        for line in map(
            json.loads, _body(_export(auditor_client, export_format="jsonl")).splitlines()
        )
    }
    key = "00000000-0000-4000-8000-000000000050"
    assert by_csv[key]["user_agent"] == awkward
    assert json.loads(by_csv[key]["details"]) == {"note": awkward, "nested": {"a": [1, "\\"]}}
    assert by_json[key]["user_agent"] == awkward
    assert by_json[key]["details"] == {"note": awkward, "nested": {"a": [1, "\\"]}}


def test_export_is_recorded_with_its_filter_and_row_count(
    auditor_client: Client, auditor: Any, log: AuthTenant
) -> None:
    response = _export(auditor_client, status="Success", export_format="jsonl")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT_ACTIVITY).exists()
    assert _body(response)  # the test client closes a response it has read to the end
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT_ACTIVITY)
    assert entry.actor_username == auditor.username
    assert entry.auth_tenant == log
    assert entry.outcome == AuditOutcome.SUCCESS
    assert entry.parameters == {"format": "jsonl", "filters": {"status": "Success"}, "rows": 4}
    assert entry.target_label == "4 rows as JSON Lines (one JSON object per line)"


def test_a_download_cut_short_is_recorded_with_the_rows_sent(
    auditor_client: Client, log: AuthTenant
) -> None:
    for n in range(1000, 2000):
        event(log, n, user_agent="x" * 200)
    response = _export(auditor_client, export_format="csv")
    stream = chunks(response)
    first, second = next(stream), next(stream)
    assert first.startswith(b"created_at,id,")
    assert len(second) >= CHUNK_BYTES
    client_goes_away(response)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT_ACTIVITY)
    assert entry.outcome == AuditOutcome.PARTIAL
    assert 0 < entry.parameters["rows"] < 1005
    assert entry.message == f"The download stopped after {entry.parameters['rows']:,} rows."
    # The connection is usable afterwards (on PostgreSQL the COPY was cancelled and drained).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_export_streams_in_socket_sized_chunks(auditor_client: Client, log: AuthTenant) -> None:
    for n in range(1000, 2000):
        event(log, n, user_agent="y" * 200)
    response = _export(auditor_client, export_format="csv")
    assert response.streaming
    sizes = [len(chunk) for chunk in chunks(response)]
    assert len(sizes) < 20  # not one chunk per line
    assert all(size >= CHUNK_BYTES for size in sizes[1:-1])


def test_export_is_never_cached(auditor_client: Client, log: AuthTenant) -> None:
    response = _export(auditor_client, export_format="csv")
    assert response["Cache-Control"] == "no-store"
    # The archive's head when the export began, for checking a later export or verify_archive.
    assert response["X-Archive-Chain-Head"] == chain_head(log)


def test_get_explains_where_the_button_is(auditor_client: Client, log: AuthTenant) -> None:
    response = auditor_client.get(URL, {"status": "Failure"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Export button" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_invalid_filters_or_format_are_refused_with_a_reason(
    auditor_client: Client, log: AuthTenant
) -> None:
    response = auditor_client.post(
        URL, {"since": "2026-11-05", "until": "2026-11-01", "export_format": "csv"}
    )
    assert response.status_code == 400
    assert "the filters are not valid" in response.content.decode()
    response = auditor_client.post(URL, {"until": "9999-12-31", "export_format": "csv"})
    assert "Enter a date on or before 9999-12-30." in response.content.decode()
    response = auditor_client.post(URL, {"export_format": "xlsx"})
    assert response.status_code == 400
    assert "the format is not one offered" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_export_needs_csrf(auditor: Any, log: AuthTenant) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    assert client.post(URL, {"export_format": "csv"}).status_code == 403
