"""Tenant access pages over the sandbox: forms that explain and keep input, result pages, one call
per submitted form, and no way in for helpdesk or auditors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.access.rules import SIGN_OUT_WARNING
from apps.audit.models import AuditEntry
from apps.authtenants.models import AuthTenant
from apps.core.formtokens import REPLAY_MESSAGE
from apps.teamsapi.contract import TENANT_ROLE_LABELS
from tests.access.conftest import Target, mirror, mirrored_roles, pick, upstream_roles
from tests.fixtures.sandbox import Sandbox

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _form(client: Client, name: str, target: Target, query: str = "") -> tuple[str, str]:
    """The form page's HTML and its one-time token."""
    response = client.get(reverse(f"access:{name}", args=[target.member_id]) + query)
    assert response.status_code == 200
    page = response.content.decode()
    found = TOKEN.search(page)
    assert found is not None, "the form has no form token"
    return page, found.group(1)


def _post(
    client: Client, name: str, target: Target, data: dict[str, object]
) -> _MonkeyPatchedWSGIResponse:
    return client.post(reverse(f"access:{name}", args=[target.member_id]), data)


def _puts(sandbox: Sandbox) -> int:
    return len(sandbox.requests_log(path_contains="/tenants", method="PUT"))


def test_grant_form_lists_free_tenants_and_role_labels_and_preselects(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced, free=2, held=1)
    wanted = target.free[1]

    page, _ = _form(owner_client, "grant", target, f"?tenant={wanted.tenant_id}")

    for tenant in target.free:
        assert f'value="{tenant.tenant_id}"' in page
    assert f'value="{target.held[0].tenant.tenant_id}"' not in page
    assert re.search(rf'value="{wanted.tenant_id}"[^>]*checked', page)
    assert "Editor – Users" in page and "Viewer – Config settings" in page
    assert ">editor-users<" not in page
    assert "at most 10 tenants per call" in page
    assert "“Editor – Specific apps” needs the app (client) ids" in page


def test_grant_shows_the_result_per_tenant_with_a_success_message(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    tenant = target.free[0]
    _, token = _form(owner_client, "grant", target)

    response = owner_client.post(
        reverse("access:grant", args=[target.member_id]),
        {
            "form_token": token,
            "tenants": [tenant.tenant_id],
            "roles": ["editor-users", "viewer-config"],
        },
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Access granted: 1 of 1 tenant" in page
    assert reverse("tenants:detail", args=[tenant.tenant_id]) in page
    assert reverse("members:detail", args=[target.member_id]) in page
    assert "Editor – Users" in page and "Done" in page
    assert "message-success" in page
    assert f"Access granted on {tenant.tenant_name} for" in page
    assert upstream_roles(target.member_id, tenant.tenant_id) == {"editor-users", "viewer-config"}


def test_partial_failure_is_a_result_page_with_each_tenants_outcome(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced, free=2)
    kept, deleted = target.free[0], target.free[1]
    _, token = _form(owner_client, "grant", target)
    sandbox.api(
        "DELETE", f"/api/tenants/{deleted.tenant_id}"
    )  # gone upstream after the page loaded

    response = owner_client.post(
        reverse("access:grant", args=[target.member_id]),
        {
            "form_token": token,
            "tenants": [kept.tenant_id, deleted.tenant_id],
            "roles": ["viewer-users"],
        },
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Access granted: 1 of 2 tenants" in page
    assert "not in the team any more" in page
    assert "message-warning" in page and "failed (see below)" in page
    assert "Try the failed tenants again" in page
    assert mirrored_roles(target, kept.tenant_id) == ["viewer-users"]
    assert mirrored_roles(target, deleted.tenant_id) is None


def test_a_second_submit_of_the_same_form_sends_nothing(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    _, token = _form(owner_client, "grant", target)
    data = {"form_token": token, "tenants": [target.free[0].tenant_id], "roles": ["viewer-users"]}
    sandbox.clear_requests_log()

    first = owner_client.post(reverse("access:grant", args=[target.member_id]), data)
    second = owner_client.post(reverse("access:grant", args=[target.member_id]), data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first["Location"]
    assert REPLAY_MESSAGE in second.content.decode()
    assert _puts(sandbox) == 1
    assert AuditEntry.objects.count() == 1


def test_change_form_warns_about_sign_out_and_starts_from_current_roles(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced, held=1)
    access = target.held[0]

    page, token = _form(owner_client, "change", target, f"?tenant={access.tenant.tenant_id}")

    assert SIGN_OUT_WARNING in page
    for role in access.roles:
        assert re.search(rf'value="{role}"[^>]*checked', page)
    response = owner_client.post(
        reverse("access:change", args=[target.member_id]),
        {"form_token": token, "tenants": [access.tenant.tenant_id], "roles": ["owner"]},
        follow=True,
    )
    assert "Roles changed: 1 of 1 tenant" in response.content.decode()
    assert upstream_roles(target.member_id, access.tenant.tenant_id) == {"owner"}


def test_revoke_removes_the_access(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced, held=1)
    tenant = target.held[0].tenant
    page, token = _form(owner_client, "revoke", target, f"?tenant={tenant.tenant_id}")
    assert "loses access" in page

    response = owner_client.post(
        reverse("access:revoke", args=[target.member_id]),
        {"form_token": token, "tenants": [tenant.tenant_id]},
        follow=True,
    )

    assert "Access removed: 1 of 1 tenant" in response.content.decode()
    assert upstream_roles(target.member_id, tenant.tenant_id) == set()
    assert mirrored_roles(target, tenant.tenant_id) is None


def test_refused_input_keeps_what_was_typed(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    tenant = target.free[0]
    _, token = _form(owner_client, "grant", target)
    sandbox.clear_requests_log()

    response = owner_client.post(
        reverse("access:grant", args=[target.member_id]),
        {
            "form_token": token,
            "tenants": [tenant.tenant_id],
            "roles": ["viewer-users"],
            "client_ids": "abcdef123",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "App ids are accepted only with the role" in page
    assert re.search(rf'value="{tenant.tenant_id}"[^>]*checked', page)
    assert re.search(r'value="viewer-users"[^>]*checked', page)
    assert "abcdef123</textarea>" in page
    assert sandbox.requests_log(path_contains="/api/members") == []


def test_member_gone_upstream_is_a_message_in_the_form_and_the_form_can_be_resent(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    _, token = _form(owner_client, "grant", target)
    assert sandbox.api("DELETE", f"/api/members/{target.member_id}").status_code == 204
    data = {"form_token": token, "tenants": [target.free[0].tenant_id], "roles": ["viewer-users"]}

    first = owner_client.post(reverse("access:grant", args=[target.member_id]), data)
    again = owner_client.post(reverse("access:grant", args=[target.member_id]), data)

    for response in (first, again):  # the token was released: the retry is sent, not "replayed"
        assert response.status_code == 200
        assert "no team member with this id" in response.content.decode()
    assert len(sandbox.requests_log(path_contains="/tenants", method="PUT")) == 2


def test_rate_limit_is_a_message_with_seconds(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    target = pick(synced)
    _, token = _form(owner_client, "grant", target)
    sandbox.set_faults(rate_limit_burst=1)

    response = _post(
        owner_client,
        "grant",
        target,
        {"form_token": token, "tenants": [target.free[0].tenant_id], "roles": ["viewer-users"]},
    )

    assert re.search(r"Auth0 is rate-limiting; try again in \d+ s\.", response.content.decode())


def test_missing_scope_shows_the_action_disabled_and_refuses_it(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner_client: Client
) -> None:
    target = pick(mirror(readonly_auth_tenant))
    page, token = _form(owner_client, "grant", target)

    assert "Needs `update:members`" in page
    assert re.search(r'<button type="submit" class="primary" disabled', page)
    response = _post(
        owner_client,
        "grant",
        target,
        {"form_token": token, "tenants": [target.free[0].tenant_id], "roles": ["viewer-users"]},
    )
    assert "update:members" in response.content.decode()
    assert mirrored_roles(target, target.free[0].tenant_id) is None


@pytest.mark.parametrize("persona", ["helpdesk_client", "auditor_client"])
@pytest.mark.parametrize("name", ["grant", "change", "revoke"])
def test_helpdesk_and_auditors_get_403_and_nothing_changes(
    sandbox: Sandbox, synced: AuthTenant, persona: str, name: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(persona)
    target = pick(synced, held=1)
    tenant = target.free[0] if name == "grant" else target.held[0].tenant
    sandbox.clear_requests_log()

    assert client.get(reverse(f"access:{name}", args=[target.member_id])).status_code == 403
    response = _post(client, name, target, {"tenants": [tenant.tenant_id], "roles": ["owner"]})

    assert response.status_code == 403
    assert sandbox.requests_log(path_contains="/api/members") == []
    assert not AuditEntry.objects.exists()


def test_an_expired_result_page_points_back_to_the_member(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    response = owner_client.get(reverse("access:result", args=[target.member_id, "nope"]))

    assert response.status_code == 404
    assert reverse("members:detail", args=[target.member_id]) in response.content.decode()


def test_picking_a_member_for_a_tenant_links_to_the_preselected_grant_form(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    tenant = target.free[0]

    page = owner_client.get(
        reverse("access:tenant-grant", args=[tenant.tenant_id]), {"q": target.member.email}
    ).content.decode()

    grant = reverse("access:grant", args=[target.member_id]) + f"?tenant={tenant.tenant_id}"
    assert grant.replace("&", "&amp;") in page
    assert TENANT_ROLE_LABELS  # the grant form itself is covered above


def test_when_every_tenant_fails_the_result_says_nothing_changed(
    sandbox: Sandbox, synced: AuthTenant, owner_client: Client
) -> None:
    target = pick(synced)
    gone = target.free[0]
    _, token = _form(owner_client, "grant", target)
    sandbox.api("DELETE", f"/api/tenants/{gone.tenant_id}")

    response = owner_client.post(
        reverse("access:grant", args=[target.member_id]),
        {"form_token": token, "tenants": [gone.tenant_id], "roles": ["viewer-users"]},
        follow=True,
    )

    page = response.content.decode()
    assert "Nothing changed on 1 tenant" in page
    assert "message-error" in page and "not in the team any more" in page
