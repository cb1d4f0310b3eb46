"""Tokens: caching, re-minting, validation and the token endpoint's failures, over real HTTP."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache
from django.db import connection
from joserfc.jwk import RSAKey
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.connection import (
    client_settings,
    connection_settings,
    recording_token_provider,
    teams_client,
)
from apps.authtenants.models import AuthClient, AuthTenant
from apps.sandbox.models import SandboxAuthTenant
from apps.teamsapi.connection import ClientSettings, ConnectionSettings
from apps.teamsapi.errors import RETRYABLE, TokenEndpointUnavailable, TokenError
from apps.teamsapi.tokens import (
    TokenProvider,
    jwks_cache_key,
    mint_lock_key,
    mint_lock_lease,
    token_cache_key,
)
from tests.teamsapi.conftest import RecordingSleep, sleeping_client

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "/oauth/token"


def _token_requests(sandbox: Sandbox) -> int:
    return len(sandbox.requests_log(path_contains=TOKEN))


def _reader(auth_tenant: AuthTenant, sandbox: Sandbox) -> AuthClient:
    return auth_tenant.clients.get(client_id=sandbox.readonly_client_id)


def _reader_settings(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> tuple[ConnectionSettings, ClientSettings]:
    return connection_settings(auth_tenant), client_settings(_reader(auth_tenant, sandbox))


def _environments(auth_tenant: AuthTenant) -> list[str]:
    """One call from a new client, closed afterwards."""
    with teams_client(auth_tenant) as client:
        return client.list_environments()


def test_a_cached_token_is_reused_by_every_client_object(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    _environments(auth_tenant)
    with teams_client(auth_tenant) as second:
        second.list_environments()
        list(second.list_tenants())
    assert _token_requests(sandbox) == 1


def test_a_client_keeps_its_token_instead_of_reading_the_cache_per_call(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    with teams_client(auth_tenant) as client:
        client.list_environments()
        cache.delete(token_cache_key(*_reader_settings(auth_tenant, sandbox)))
        client.list_environments()
        list(client.list_tenants())
    assert _token_requests(sandbox) == 1
    _environments(auth_tenant)  # a new client finds the cache empty
    assert _token_requests(sandbox) == 2


def test_a_successful_mint_is_recorded_on_the_client_row(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    _environments(auth_tenant)
    row = _reader(auth_tenant, sandbox)
    assert row.token_last_ok_at is not None and row.token_expires_at is not None
    assert row.token_kind == "jwt"
    assert row.token_scope_set == {"read:tenants", "read:members", "read:team_activity"}


def test_an_expired_token_gets_401_then_one_fresh_token_and_the_call_succeeds(
    auth_tenant: AuthTenant, sandbox: Sandbox, settings: SettingsWrapper
) -> None:
    # Our clock trusts the token 30 s longer than the server does, as with clock skew.
    settings.TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS = -30
    sandbox.set_faults(token_lifetime_seconds=3)
    with teams_client(auth_tenant) as client:
        client.list_environments()
        time.sleep(3.1)
        assert client.list_environments()
    statuses = [r.status for r in sandbox.requests_log(path_contains="/api/environments")]
    assert statuses == [200, 401, 200]
    assert _token_requests(sandbox) == 2
    assert client.requests_made == 3


def test_an_audience_the_auth_tenant_does_not_serve_is_reported(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    auth_tenant.audience_override = "https://other.teams.auth0.com/api/"
    auth_tenant.save(update_fields=["audience_override"])
    with pytest.raises(TokenError) as info:
        recording_token_provider().token(*_reader_settings(auth_tenant, sandbox))
    assert info.value.reason in {"audience_not_enabled", "no_client_grant"}
    assert _token_requests(sandbox) == 1


def test_a_wrong_secret_is_reported_in_plain_words_and_not_retried(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    row = _reader(auth_tenant, sandbox)
    row.set_secret("definitely-not-the-secret")
    row.save(update_fields=["secret_encrypted"])
    with pytest.raises(TokenError) as info:
        _environments(auth_tenant)
    assert info.value.reason == "wrong_secret"
    assert (info.value.status, info.value.code) == (401, "access_denied")
    assert "secret is wrong" in info.value.message
    assert not isinstance(info.value, RETRYABLE)
    assert _token_requests(sandbox) == 1
    row.refresh_from_db()
    assert row.token_last_error_at is not None
    assert "secret is wrong" in row.token_last_error


def test_an_unknown_client_id_is_reported(auth_tenant: AuthTenant, sandbox: Sandbox) -> None:
    row = _reader(auth_tenant, sandbox)
    row.client_id = "noSuchClient000000000000000000001"
    row.save(update_fields=["client_id"])
    with pytest.raises(TokenError) as info:
        _environments(auth_tenant)
    assert info.value.reason == "unknown_client"
    assert "does not know this client id" in info.value.message


def test_a_token_endpoint_outage_is_retried_then_reported_as_retryable(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(token_outage=True)
    with (
        sleeping_client(auth_tenant, recording_sleep) as client,
        pytest.raises(TokenEndpointUnavailable) as info,
    ):
        client.list_environments()
    assert isinstance(info.value, RETRYABLE)
    assert _token_requests(sandbox) == 3
    assert client.requests_made == 0


@pytest.fixture
def short_calls(settings: SettingsWrapper) -> SettingsWrapper:
    """One call to the token endpoint takes at most a second, so a mint lock lease is short."""
    settings.TEAMSADMIN_HTTP_CONNECT_TIMEOUT = 0.5
    settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 0.5
    return settings


def test_a_minter_that_stops_holds_the_others_up_for_one_call_only(
    auth_tenant: AuthTenant, sandbox: Sandbox, short_calls: SettingsWrapper
) -> None:
    settings = short_calls
    settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS = 0.01
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 30  # a live mint may take over a minute
    frozen, resume = threading.Event(), threading.Event()

    def freeze(seconds: float) -> None:
        # The first minter stops in its backoff, as a killed process would, holding the lock.
        frozen.set()
        resume.wait(60)

    def first_minter() -> None:
        try:
            with sleeping_client(auth_tenant, freeze) as client:
                client.list_environments()
        finally:
            connection.close()

    sandbox.set_faults(token_outage=True)
    thread = threading.Thread(target=first_minter)
    thread.start()
    try:
        assert frozen.wait(30)
        sandbox.clear_faults()
        started = time.monotonic()
        _environments(auth_tenant)
        waited = time.monotonic() - started
    finally:
        resume.set()
        thread.join()
    assert mint_lock_lease(0) - 1 < waited < 20, waited


def test_a_mint_keeps_its_lock_through_a_backoff_longer_than_one_call(
    auth_tenant: AuthTenant, sandbox: Sandbox, short_calls: SettingsWrapper
) -> None:
    settings = short_calls
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 1
    settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS = mint_lock_lease(0) + 1
    lock_key = mint_lock_key(*_reader_settings(auth_tenant, sandbox))
    held_after_backoff: list[bool] = []

    def backoff(seconds: float) -> None:
        time.sleep(seconds)
        held_after_backoff.append(cache.get(lock_key) is not None)
        sandbox.clear_faults()

    sandbox.set_faults(token_outage=True)
    with sleeping_client(auth_tenant, backoff) as client:
        client.list_environments()
    assert held_after_backoff == [True]
    assert _token_requests(sandbox) == 2
    assert cache.get(lock_key) is None  # released once the token is stored


def test_a_token_from_the_wrong_issuer_is_rejected(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    auth_tenant.domain = "impostor.us.auth0.com"
    auth_tenant.save(update_fields=["domain"])
    with pytest.raises(TokenError) as info:
        _environments(auth_tenant)
    assert info.value.reason == "wrong_issuer"
    assert not sandbox.requests_log(path_contains="/api/environments")


def _cache_jwks(auth_tenant: AuthTenant, kid: str) -> None:
    """Put a foreign key set in the JWKS cache, as if the Auth Tenant had published it."""
    foreign = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
    cache.set(
        jwks_cache_key(connection_settings(auth_tenant)),
        {"keys": [foreign.as_dict(private=False)]},
        timeout=60,
    )


def test_a_token_with_a_bad_signature_is_rejected(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    kid = SandboxAuthTenant.objects.get(domain=sandbox.auth_domain).kid
    _cache_jwks(auth_tenant, kid)
    with pytest.raises(TokenError) as info:
        _environments(auth_tenant)
    assert info.value.reason == "bad_signature"
    assert cache.get(token_cache_key(*_reader_settings(auth_tenant, sandbox))) is None


def test_an_unknown_kid_refetches_the_jwks_once(auth_tenant: AuthTenant, sandbox: Sandbox) -> None:
    _cache_jwks(auth_tenant, "rotated-away")
    assert _environments(auth_tenant)
    assert len(sandbox.requests_log(path_contains="jwks.json")) == 1


def test_opaque_tokens_are_trusted_for_their_expires_in() -> None:
    tenant = AuthTenant(name="opaque", team_slug="acme", domain="acme.us.auth0.com")
    token = TokenProvider()._validated(
        connection_settings(tenant, ()),
        {"access_token": "opaque-value", "expires_in": 120, "scope": "read:members"},
    )
    assert token.kind == "opaque"
    assert token.scopes == {"read:members"}
    assert 100 < token.expires_at - time.time() <= 120
    assert "opaque-value" not in repr(token)
