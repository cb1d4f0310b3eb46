"""An AuthTenant row becomes teamsapi's plain connection settings; token outcomes come back to it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants import selectors
from apps.authtenants.connection import (
    connection_settings,
    outbound_policy,
    recording_token_provider,
)
from apps.authtenants.models import AuthClient
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import OPERATIONS, OperationName
from apps.teamsapi.errors import TokenError
from tests.factories import AuthClientFactory, AuthTenantFactory

pytestmark = pytest.mark.django_db

CANARY = "canary-secret-91b0c4"


def test_endpoints_follow_the_contract_and_only_enabled_clients_are_offered() -> None:
    tenant = AuthTenantFactory.create(team_slug="globex", domain="globex.eu.auth0.com")
    older = AuthClientFactory.create(auth_tenant=tenant, label="Zed", secret=CANARY)
    AuthClientFactory.create(auth_tenant=tenant, label="Disabled", enabled=False)
    newer = AuthClientFactory.create(auth_tenant=tenant, label="Alpha")

    connection = connection_settings(tenant)

    assert connection.api_base_url == "https://globex.teams.auth0.com"
    assert connection.audience == "https://globex.teams.auth0.com/api/"
    assert connection.token_url == "https://globex.eu.auth0.com/oauth/token"
    assert connection.jwks_url == "https://globex.eu.auth0.com/.well-known/jwks.json"
    assert connection.issuer == "https://globex.eu.auth0.com/"
    assert [c.key for c in connection.clients] == [str(older.pk), str(newer.pk)]  # oldest first
    assert connection.clients[0].read_secret() == CANARY
    assert CANARY not in repr(connection)


def test_the_feature_table_and_the_calls_pick_the_same_client() -> None:
    tenant = AuthTenantFactory.create()
    AuthClientFactory.create(
        auth_tenant=tenant, label="Owner", scopes="read:members update:members"
    )
    AuthClientFactory.create(auth_tenant=tenant, label="Reader", scopes="read:members")
    AuthClientFactory.create(auth_tenant=tenant, label="Twin", scopes="read:members")

    coverage = {row.feature: row.client for row in selectors.feature_coverage(tenant)}
    with TeamsClient(connection_settings(tenant)) as client:
        browse = client.client_for(OPERATIONS[OperationName.LIST_MEMBERS])
        change = client.client_for(OPERATIONS[OperationName.UPDATE_MEMBER])

    assert coverage["Browse members"] is not None and coverage["Change roles"] is not None
    assert (browse.label, str(coverage["Browse members"].pk)) == ("Reader", browse.key)
    assert (change.label, str(coverage["Change roles"].pk)) == ("Owner", change.key)


def test_an_unreadable_secret_fails_the_mint_before_any_request_and_is_recorded(
    settings: SettingsWrapper,
) -> None:
    row = AuthClientFactory.create()
    settings.TEAMSADMIN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    connection = connection_settings(row.auth_tenant)

    with pytest.raises(TokenError) as info:
        recording_token_provider().token(connection, connection.clients[0])

    assert info.value.reason == "secret_unreadable"
    row.refresh_from_db()
    assert row.token_state == "error"
    assert "cannot be decrypted" in row.token_last_error


def test_loopback_is_offered_only_to_the_recorded_sandbox_origin(
    settings: SettingsWrapper,
) -> None:
    settings.TEAMSADMIN_ALLOWED_API_HOSTS = ["Teams.Internal.Example:8443", ""]
    settings.TEAMSADMIN_SANDBOX = True
    sandbox = AuthTenantFactory.create(sandbox_origin="http://127.0.0.1:8123")
    plain = AuthTenantFactory.create()

    assert outbound_policy(sandbox).sandbox_origin == ("127.0.0.1", 8123)
    assert outbound_policy(plain).sandbox_origin is None
    assert outbound_policy(plain).allowed_hosts == {"teams.internal.example:8443"}
    settings.TEAMSADMIN_SANDBOX = False
    assert outbound_policy(sandbox).sandbox_origin is None


def test_clearing_token_status_covers_every_status_field() -> None:
    row = AuthClientFactory.create(token_scopes="read:members", token_kind="jwt")
    AuthClient.objects.filter(pk=row.pk).update(**AuthClient.token_status_cleared())
    row.refresh_from_db()
    assert (row.token_state, row.token_scopes, row.token_kind) == ("untested", "", "")
