"""Dashboard actions export: the page's filter, unpaged, as CSV or JSON Lines, for owners and auditors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.audit.services import audit_record
from apps.authtenants.models import AuthTenant
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db
URL = reverse("audit:export")


@pytest.fixture
def acme(owner: User) -> AuthTenant:
    acme = AuthTenantFactory.create(name="Acme")
    for n in range(3):
        audit_record(
            actor=owner,
            auth_tenant=acme,
            action=AuditAction.MEMBER_INVITE if n != 1 else AuditAction.TENANT_DELETE,
            target_type="member",
            target_label=f"=person{n}@acme.test",
            parameters={"roles": ["admin"], "note": 'a "b"\nc\\d'},
            outcome=AuditOutcome.FAILURE if n == 2 else AuditOutcome.SUCCESS,
            message="The API refused, try again" if n == 2 else "",
        )
    return acme


def _body(response: StreamingHttpResponse) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]


def test_csv_export_holds_the_filtered_entries_with_labels(
    auditor_client: Client, owner: User, acme: AuthTenant
) -> None:
    response = auditor_client.post(
        URL, {"action": "member_invite", "before": "1", "export_format": "csv"}
    )
    assert response["Cache-Control"] == "no-store"
    assert 'filename="dashboard-actions-acme-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_body(response), newline="")))  # type: ignore[arg-type]
    expected = AuditEntry.objects.filter(action=AuditAction.MEMBER_INVITE).order_by("-pk")
    assert [int(row["id"]) for row in rows] == [entry.pk for entry in expected]
    assert rows[0]["action"] == "Invite member"
    assert rows[0]["outcome"] == "Failed"
    assert rows[0]["user"] == owner.username
    assert rows[0]["target_label"] == "'=person2@acme.test"  # a formula, neutralised
    assert json.loads(rows[0]["parameters"]) == {"roles": ["admin"], "note": 'a "b"\nc\\d'}


def test_jsonl_export_and_its_own_record(auditor_client: Client, acme: AuthTenant) -> None:
    response = auditor_client.post(URL, {"user": "", "export_format": "jsonl"})
    lines = [json.loads(line) for line in _body(response).splitlines()]  # type: ignore[arg-type]
    assert len(lines) == 3
    assert lines[-1]["target_label"] == "=person0@acme.test"
    assert lines[-1]["parameters"] == {"roles": ["admin"], "note": 'a "b"\nc\\d'}
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT_AUDIT)
    assert entry.parameters == {"format": "jsonl", "filters": {}, "rows": 3}
    assert entry.get_action_display() == "Export dashboard actions"


def test_the_page_offers_the_export_to_owners_and_auditors(
    owner_client: Client, auditor_client: Client, acme: AuthTenant
) -> None:
    for client in (owner_client, auditor_client):
        page = client.get(reverse("audit:list"), {"action": "tenant_delete"}).content.decode()
        assert f'action="{URL}?auth_tenant={acme.pk}"' in page
        assert '<input type="hidden" name="action" value="tenant_delete">' in page
        assert 'name="before"' not in page.split(f'action="{URL}')[1].split("</form>")[0]


def test_helpdesk_cannot_export(helpdesk_client: Client, acme: AuthTenant) -> None:
    assert helpdesk_client.post(URL, {"export_format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT_AUDIT).exists()


def test_get_and_bad_input_explain_themselves(auditor_client: Client, acme: AuthTenant) -> None:
    assert auditor_client.get(URL).status_code == 405
    response = auditor_client.post(URL, {"action": "nope", "export_format": "csv"})
    assert response.status_code == 400
    assert "the filters are not valid" in response.content.decode()
