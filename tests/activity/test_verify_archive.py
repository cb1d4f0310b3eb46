"""Verifying the archive: the command's messages and exit status, and the page's button."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from apps.activity.bulk import insert_new
from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction, AuditEntry
from apps.audit.services import audit_record
from apps.authtenants.models import AuthTenant
from tests.activity.conftest import entry
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/activity/verify/"


@pytest.fixture
def acme(owner: User) -> AuthTenant:
    """An Auth Tenant with three stored events and one dashboard action."""
    tenant = AuthTenantFactory.create(name="Acme", team_slug="acme")
    with transaction.atomic():
        insert_new(tenant, [entry(1), entry(2), entry(3)])
    audit_record(actor=owner, auth_tenant=tenant, action=AuditAction.TENANT_CREATE)
    return tenant


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_archive", *args, stdout=out)
    return out.getvalue()


def test_an_intact_archive_is_reported_and_exits_zero(acme: AuthTenant) -> None:
    output = _verify()
    assert "OK      Activity log of Acme: 3 records intact." in output
    assert "OK      Dashboard actions of Acme: 1 record intact." in output


@pytest.mark.parametrize("option", ["Acme", "acme", "id"])
def test_one_auth_tenant_is_picked_by_name_team_slug_or_id(acme: AuthTenant, option: str) -> None:
    AuthTenantFactory.create(name="Other", team_slug="other")
    output = _verify("--auth-tenant", str(acme.pk) if option == "id" else option)
    assert "Acme" in output
    assert "Other" not in output


def test_a_break_names_the_row_and_exits_with_status_one(acme: AuthTenant) -> None:
    tampered = ActivityEvent.objects.get(external_id="entry-2")
    ActivityEvent.objects.filter(pk=tampered.pk).update(ip="198.51.100.1")
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_archive", stdout=out)
    assert raised.value.returncode == 1
    assert "1 of 2 archive chains do not verify" in str(raised.value)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("BROKEN"))
    assert f"Chain position 2 (row {tampered.pk}): its content or an earlier row changed" in line
    assert f"stored {tampered.chain_hash}" in line


def test_an_unknown_auth_tenant_is_a_clear_error(acme: AuthTenant) -> None:
    with pytest.raises(CommandError, match="No Auth Tenant has the name, team slug or id 'nope'"):
        _verify("--auth-tenant", "nope")


def test_owners_and_auditors_verify_from_the_page(
    acme: AuthTenant, owner_client: Client, auditor_client: Client
) -> None:
    page = auditor_client.get(URL).content.decode()
    assert f'<form method="post" action="{URL}"' in page
    assert ActivityEvent.objects.get(external_id="entry-3").chain_hash in page  # the head
    for client in (owner_client, auditor_client):
        response = client.post(URL)
        assert response.status_code == 200
        assert "The archive verifies" in response.content.decode()


def test_the_page_shows_a_break_and_htmx_gets_only_the_result(
    acme: AuthTenant, auditor_client: Client
) -> None:
    AuditEntry.objects.filter(auth_tenant=acme).delete()
    response = auditor_client.post(URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="verify-result"')
    assert "The archive does not verify" in html
    assert "rows at the end of the chain are missing" in html


def test_helpdesk_cannot_verify(acme: AuthTenant, helpdesk_client: Client) -> None:
    assert helpdesk_client.post(URL).status_code == 403


def test_the_activity_page_links_to_the_check(acme: AuthTenant, auditor_client: Client) -> None:
    assert f'href="{URL}"' in auditor_client.get("/activity/").content.decode()
