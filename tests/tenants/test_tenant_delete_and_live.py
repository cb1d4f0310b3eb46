"""Deleting a tenant (typed name, once) and the live tenant page with its mirror fallback."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.directory.models import DirectoryAccess, DirectoryTenant
from apps.directory.services import directory_sync
from apps.teamsapi.contract import role_label
from tests.fixtures.sandbox import Sandbox


def _delete_url(tenant: DirectoryTenant) -> str:
    return reverse("tenants:delete", args=[tenant.tenant_id])


def _token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    marker = 'name="form_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_the_confirmation_lists_the_access_that_goes_and_the_restore_limit(
    owner_client: Client, public_tenant: DirectoryTenant
) -> None:
    page = owner_client.get(_delete_url(public_tenant)).content.decode()
    accesses = DirectoryAccess.objects.filter(tenant=public_tenant, removed_at__isnull=True)
    assert accesses
    for access in accesses:
        assert access.member.email in page
        for role in access.roles:
            assert role_label(role) in page
    assert "only through Auth0 support" in page and "limited time" in page


def test_a_wrong_typed_name_deletes_nothing(
    owner_client: Client, public_tenant: DirectoryTenant, sandbox: Sandbox
) -> None:
    url = _delete_url(public_tenant)
    sandbox.clear_requests_log()
    data = {
        "confirm_name": public_tenant.tenant_name + "x",
        "form_token": _token(owner_client, url),
    }
    response = owner_client.post(url, data)
    assert response.status_code == 200
    assert "That is not the tenant&#x27;s name" in response.content.decode()
    assert not sandbox.requests_log(method="DELETE")
    public_tenant.refresh_from_db()
    assert public_tenant.removed_at is None
    assert not AuditEntry.objects.exists()


def test_delete_updates_auth0_the_mirror_and_the_audit_and_a_replay_is_harmless(
    owner_client: Client, synced: AuthTenant, public_tenant: DirectoryTenant, sandbox: Sandbox
) -> None:
    url = _delete_url(public_tenant)
    data = {"confirm_name": public_tenant.tenant_name, "form_token": _token(owner_client, url)}
    response = owner_client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenants:list")
    assert f"Tenant {public_tenant.tenant_name} was deleted." in response.content.decode()
    public_tenant.refresh_from_db()
    assert public_tenant.removed_at is not None
    assert not DirectoryAccess.objects.filter(tenant=public_tenant, removed_at__isnull=True)
    gone = sandbox.api("GET", f"/api/tenants/{public_tenant.tenant_id}")
    assert gone.status_code == 404
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_DELETE)
    assert (entry.outcome, entry.target_id) == (AuditOutcome.SUCCESS, public_tenant.tenant_id)

    sandbox.clear_requests_log()
    replay = owner_client.post(url, data, follow=True)
    assert formtokens.REPLAY_MESSAGE in replay.content.decode()
    assert not sandbox.requests_log(method="DELETE")
    assert AuditEntry.objects.filter(action=AuditAction.TENANT_DELETE).count() == 1


def test_a_second_confirmation_of_a_deleted_tenant_says_so(
    owner_client: Client, public_tenant: DirectoryTenant
) -> None:
    url = _delete_url(public_tenant)
    first_tab, second_tab = _token(owner_client, url), _token(owner_client, url)
    owner_client.post(url, {"confirm_name": public_tenant.tenant_name, "form_token": first_tab})
    again = owner_client.post(
        url, {"confirm_name": public_tenant.tenant_name, "form_token": second_tab}, follow=True
    )
    assert again.status_code == 200
    assert "already deleted" in again.content.decode()
    revisit = owner_client.get(url, follow=True)
    assert "already deleted" in revisit.content.decode()


def test_without_the_delete_scope_the_button_is_disabled_with_the_gate(
    owner_client: Client, readonly_auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    directory_sync(auth_tenant=readonly_auth_tenant)
    tenant = DirectoryTenant.objects.filter(auth_tenant=readonly_auth_tenant).first()
    assert tenant is not None
    page = owner_client.get(reverse("tenants:detail", args=[tenant.tenant_id])).content.decode()
    assert "Needs `delete:tenants`" in page
    assert f'href="{_delete_url(tenant)}"' not in page
    url = _delete_url(tenant)
    data = {"confirm_name": tenant.tenant_name, "form_token": _token(owner_client, url)}
    refused = owner_client.post(url, data).content.decode()
    assert "Needs `delete:tenants`" in refused
    tenant.refresh_from_db()
    assert tenant.removed_at is None


@pytest.mark.parametrize("persona", ["helpdesk_client", "auditor_client"])
def test_helpdesk_and_auditors_cannot_delete(
    request: pytest.FixtureRequest, persona: str, public_tenant: DirectoryTenant, sandbox: Sandbox
) -> None:
    client: Client = request.getfixturevalue(persona)
    detail = client.get(reverse("tenants:detail", args=[public_tenant.tenant_id]))
    assert "Delete tenant" not in detail.content.decode()
    url = _delete_url(public_tenant)
    assert client.get(url).status_code == 403
    sandbox.clear_requests_log()
    response = client.post(url, {"confirm_name": public_tenant.tenant_name, "form_token": "x"})
    assert response.status_code == 403
    assert not sandbox.requests_log(method="DELETE")
    public_tenant.refresh_from_db()
    assert public_tenant.removed_at is None


def test_the_tenant_page_is_live_from_auth0(
    owner_client: Client, public_tenant: DirectoryTenant, sandbox: Sandbox
) -> None:
    upstream = sandbox.api("GET", f"/api/tenants/{public_tenant.tenant_id}/members").json()
    sandbox.clear_requests_log()
    response = owner_client.get(reverse("tenants:detail", args=[public_tenant.tenant_id]))
    page = response.content.decode()
    assert "live from Auth0" in page
    assert sandbox.requests_log(path_contains=f"/api/tenants/{public_tenant.tenant_id}")
    members = upstream["members"]
    assert members and len(response.context["live"].members) == len(members)
    for member in members:
        assert member["email"] in page
        for role in member["roles"]:
            assert role_label(role) in page
    # The owner manages each member's access from the live list.
    assert "Give a member access" in page
    assert f'?tenant={public_tenant.tenant_id}">Change roles' in page


def test_with_the_api_down_the_page_shows_the_mirror_and_why(
    owner_client: Client, public_tenant: DirectoryTenant, sandbox: Sandbox
) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    response = owner_client.get(reverse("tenants:detail", args=[public_tenant.tenant_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Auth0 could not be asked just now" in page
    assert "Showing the directory as of" in page
    for access in DirectoryAccess.objects.filter(tenant=public_tenant, removed_at__isnull=True):
        assert access.member.email in page
