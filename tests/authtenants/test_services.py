"""Services check the capability themselves and turn invalid input into field errors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants import services
from apps.authtenants.models import AuthTenant
from apps.core.errors import ServiceError
from tests.factories import AuthClientFactory, AuthTenantFactory

pytestmark = pytest.mark.django_db

DATA = services.AuthTenantInput(
    name="Initech", team_slug="initech", domain="initech.us.auth0.com", region="US", cloud="public"
)


def test_helpdesk_cannot_change_auth_tenants(helpdesk: User) -> None:
    tenant = AuthTenantFactory.create()
    client = AuthClientFactory.create(auth_tenant=tenant)
    with pytest.raises(PermissionDenied):
        services.auth_tenant_create(actor=helpdesk, data=DATA)
    with pytest.raises(PermissionDenied):
        services.auth_tenant_delete(actor=helpdesk, auth_tenant=tenant)
    with pytest.raises(PermissionDenied):
        services.auth_client_remove(actor=helpdesk, auth_client=client)
    with pytest.raises(PermissionDenied):
        services.auth_tenant_test_connection(actor=helpdesk, auth_tenant=tenant)
    assert AuthTenant.objects.count() == 1


def test_invalid_input_becomes_field_errors(owner: User, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    bad = services.AuthTenantInput(
        name="Bad",
        team_slug="bad",
        domain="10.0.0.1",
        region="XX",
        cloud="public",
        api_base_url_override="http://bad.example.com",
    )
    with pytest.raises(ServiceError) as excinfo:
        services.auth_tenant_create(actor=owner, data=bad)
    assert set(excinfo.value.field_errors) == {"domain", "region", "api_base_url_override"}


def test_duplicate_name_is_refused(owner: User) -> None:
    services.auth_tenant_create(actor=owner, data=DATA)
    with pytest.raises(ServiceError) as excinfo:
        services.auth_tenant_create(actor=owner, data=DATA)
    assert "name" in excinfo.value.field_errors


def test_changing_the_domain_clears_token_status(owner: User) -> None:
    client = AuthClientFactory.create(token_scopes="read:members", token_kind="jwt")
    tenant = client.auth_tenant
    data = services.AuthTenantInput(
        name=tenant.name,
        team_slug=tenant.team_slug,
        domain="other.eu.auth0.com",
        region="EU",
        cloud="public",
    )
    services.auth_tenant_update(actor=owner, auth_tenant=tenant, data=data)
    client.refresh_from_db()
    assert (client.token_scopes, client.token_kind) == ("", "")


def test_a_bad_encryption_key_is_a_service_error_not_a_crash(
    owner: User, settings: SettingsWrapper
) -> None:
    tenant = AuthTenantFactory.create()
    settings.TEAMSADMIN_ENCRYPTION_KEYS = ["not-a-key"]
    client = services.AuthClientInput(label="x", client_id="y", scopes="", secret="s")
    with pytest.raises(ServiceError, match="not a valid Fernet key"):
        services.auth_client_add(actor=owner, auth_tenant=tenant, data=client)
