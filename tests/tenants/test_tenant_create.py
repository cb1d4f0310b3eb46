"""Owners create tenants against the sandbox: credentials once, errors beside their fields."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.errors import ServiceError
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.teamsapi.contract import TenantRole
from apps.tenants import services
from tests.fixtures.sandbox import Sandbox

CREATE = "tenants:create"


def _form_token(client: Client) -> str:
    page = client.get(reverse(CREATE))
    assert page.status_code == 200
    return _token_in(page.content.decode())


def _token_in(html: str) -> str:
    marker = 'name="form_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _public(admin_email: str, **extra: str) -> dict[str, str]:
    return {
        "cloud": "public",
        "tenant_name": "",
        "admin_email": admin_email,
        "locality": "eu",
        "environment_tag": "staging",
        "environment": "",
        **extra,
    }


def _all_text_in_database() -> str:
    """Every text value of every table, to prove a value was stored nowhere."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - introspected names
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_public_tenant_shows_the_credentials_once_and_stores_them_nowhere(
    owner_client: Client,
    synced: AuthTenant,
    admin_email: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    data = _public(admin_email, tenant_name="brand-new", form_token=_form_token(owner_client))
    response = owner_client.post(reverse(CREATE), data)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    created = response.context["created"]
    secret = created.management_client.client_secret
    client_id = created.management_client.client_id
    body = response.content.decode()
    assert secret in body and client_id in body
    assert "cannot be shown again" in body
    tenant = DirectoryTenant.objects.get(auth_tenant=synced, tenant_id=created.tenant.tenant_id)
    assert (tenant.tenant_name, tenant.locality, tenant.environment_tag) == (
        "brand-new",
        "eu",
        "staging",
    )
    admin_access = DirectoryAccess.objects.get(tenant=tenant, removed_at__isnull=True)
    assert (admin_access.member.email, admin_access.roles) == (admin_email, [TenantRole.OWNER])
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_CREATE)
    assert entry.outcome == AuditOutcome.SUCCESS and entry.target_id == tenant.tenant_id
    assert secret not in caplog.text
    assert secret not in _all_text_in_database()
    assert secret not in str(dict(owner_client.session))

    replay = owner_client.post(reverse(CREATE), data, follow=True)
    assert replay.redirect_chain[0][0] == reverse("tenants:detail", args=[tenant.tenant_id])
    assert secret not in replay.content.decode()
    assert formtokens.REPLAY_MESSAGE in replay.content.decode()
    assert DirectoryTenant.objects.filter(tenant_name="brand-new").count() == 1
    names = [t["tenant_name"] for t in _upstream_tenants(synced)]
    assert names.count("brand-new") == 1


def _upstream_tenants(auth_tenant: AuthTenant) -> list[dict[str, str]]:
    with teams_client(auth_tenant) as client:
        return [{"tenant_name": t.tenant_name} for t in client.list_tenants()]


def test_a_nameless_public_tenant_gets_the_apis_generated_name(
    owner_client: Client, synced: AuthTenant, admin_email: str
) -> None:
    data = _public(admin_email, form_token=_form_token(owner_client))
    created = owner_client.post(reverse(CREATE), data).context["created"]
    assert created.tenant.tenant_name
    assert DirectoryTenant.objects.filter(tenant_name=created.tenant.tenant_name).exists()


def test_private_tenant_in_an_environment_from_the_apis_list(
    owner_client: Client, synced: AuthTenant, admin_email: str
) -> None:
    page = owner_client.get(reverse(CREATE))
    choices = [value for value, _ in page.context["form"].fields["environment"].choices if value]
    private = sorted(
        set(
            DirectoryTenant.objects.filter(auth_tenant=synced, environment_tag="").values_list(
                "environment", flat=True
            )
        )
    )
    assert private and set(private) <= set(choices)
    data = {
        "cloud": "private",
        "tenant_name": "inside",
        "admin_email": admin_email,
        "environment": private[0],
        "form_token": _token_in(page.content.decode()),
    }
    created = owner_client.post(reverse(CREATE), data).context["created"]
    assert created.tenant.environment == private[0]
    assert DirectoryTenant.objects.get(tenant_name="inside").environment == private[0]


def test_private_cloud_needs_an_environment(
    owner_client: Client, synced: AuthTenant, admin_email: str
) -> None:
    data = {"cloud": "private", "admin_email": admin_email, "form_token": "x"}
    response = owner_client.post(reverse(CREATE), data)
    assert response.context["form"].errors["environment"]


def test_duplicate_name_is_an_error_on_the_name_and_the_form_keeps_the_input(
    owner_client: Client, synced: AuthTenant, admin_email: str
) -> None:
    taken = DirectoryTenant.objects.filter(auth_tenant=synced).order_by("tenant_name").first()
    assert taken is not None
    data = _public(admin_email, tenant_name=taken.tenant_name, form_token=_form_token(owner_client))
    response = owner_client.post(reverse(CREATE), data)
    form = response.context["form"]
    assert form.errors["tenant_name"] == [services.DUPLICATE_NAME]
    body = response.content.decode()
    assert f'value="{taken.tenant_name}"' in body
    assert "client_secret" not in body and "created" not in response.context
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_CREATE)
    assert entry.outcome == AuditOutcome.FAILURE
    # The refused submission freed its token: fixing the name and resending works.
    retry = owner_client.post(reverse(CREATE), {**data, "tenant_name": "fixed-name"})
    assert retry.context["created"].tenant.tenant_name == "fixed-name"


def test_an_admin_email_auth0_does_not_know_is_an_error_on_the_admin_field(
    owner_client: Client, synced: AuthTenant
) -> None:
    # In the mirror (so the form offers it) but gone upstream since the last sync.
    ghost = DirectoryMember.objects.filter(auth_tenant=synced).first()
    assert ghost is not None
    DirectoryMember.objects.filter(pk=ghost.pk).update(email="ghost@nowhere.example.com")
    data = _public("ghost@nowhere.example.com", form_token=_form_token(owner_client))
    response = owner_client.post(reverse(CREATE), data)
    assert response.context["form"].errors["admin_email"] == [services.UNKNOWN_ADMIN]


def test_an_email_that_is_no_current_member_is_refused_before_the_call(
    owner_client: Client, synced: AuthTenant, sandbox: Sandbox
) -> None:
    sandbox.clear_requests_log()
    data = _public("stranger@example.com", form_token=_form_token(owner_client))
    response = owner_client.post(reverse(CREATE), data)
    assert response.context["form"].errors["admin_email"]
    assert not sandbox.requests_log(path_contains="/api/tenants", method="POST")


@pytest.mark.parametrize("name", ["-dash-first", "UPPER", "ab", "x" * 64, "under_score"])
def test_a_name_outside_the_contracts_pattern_is_refused_before_the_call(
    owner_client: Client, synced: AuthTenant, admin_email: str, sandbox: Sandbox, name: str
) -> None:
    sandbox.clear_requests_log()
    data = _public(admin_email, tenant_name=name, form_token=_form_token(owner_client))
    response = owner_client.post(reverse(CREATE), data)
    assert response.context["form"].errors["tenant_name"]
    assert not sandbox.requests_log(path_contains="/api/tenants", method="POST")


def test_rate_limited_says_when_to_try_again(
    owner_client: Client,
    synced: AuthTenant,
    admin_email: str,
    sandbox: Sandbox,
    settings: SettingsWrapper,
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 0.1  # leave the wait to the person
    token = _form_token(owner_client)
    before = DirectoryTenant.objects.count()
    sandbox.set_faults(rate_limit_burst=2)  # the environments list, then the create
    response = owner_client.post(reverse(CREATE), _public(admin_email, form_token=token))
    errors = response.context["form"].non_field_errors()
    assert errors and errors[0].startswith("Auth0 is rate-limiting; try again in ")
    assert DirectoryTenant.objects.count() == before
    assert response.context["form"]["admin_email"].value() == admin_email


def test_without_the_create_scope_the_button_is_disabled_and_the_service_refuses(
    owner_client: Client, readonly_auth_tenant: AuthTenant, owner: object
) -> None:
    listing = owner_client.get(reverse("tenants:list")).content.decode()
    assert "Needs `create:tenants`" in listing
    assert reverse("authtenants:edit", args=[readonly_auth_tenant.pk]) in listing
    assert f'href="{reverse(CREATE)}"' not in listing
    form_page = owner_client.get(reverse(CREATE)).content.decode()
    assert "Needs `create:tenants`" in form_page
    with pytest.raises(ServiceError, match="create:tenants"):
        services.tenant_create(
            actor=owner, auth_tenant=readonly_auth_tenant, admin_email="a@example.com"
        )


@pytest.mark.parametrize("persona", ["helpdesk_client", "auditor_client"])
def test_helpdesk_and_auditors_get_403_and_nothing_changes(
    request: pytest.FixtureRequest, persona: str, synced: AuthTenant, admin_email: str
) -> None:
    client: Client = request.getfixturevalue(persona)
    listing = client.get(reverse("tenants:list")).content.decode()
    assert "Create tenant" not in listing
    before = DirectoryTenant.objects.count()
    response = client.post(reverse(CREATE), _public(admin_email, tenant_name="not-allowed"))
    assert response.status_code == 403
    assert client.get(reverse(CREATE)).status_code == 403
    assert DirectoryTenant.objects.count() == before
    assert not AuditEntry.objects.exists()


def test_the_service_checks_the_role_itself(
    helpdesk: object, synced: AuthTenant, admin_email: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.tenant_create(actor=helpdesk, auth_tenant=synced, admin_email=admin_email)


def test_an_environment_auth0_does_not_know_is_an_error_on_the_environment_field(
    owner: object, synced: AuthTenant, admin_email: str
) -> None:
    with pytest.raises(ServiceError) as info:
        services.tenant_create(
            actor=owner, auth_tenant=synced, admin_email=admin_email, environment="nowhere-space"
        )
    assert info.value.field_errors == {"environment": [services.UNKNOWN_ENVIRONMENT]}
