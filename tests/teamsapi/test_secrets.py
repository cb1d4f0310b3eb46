"""Neither a client secret nor an access token ever reaches logs, exception text or repr()."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.connection import (
    client_settings,
    connection_settings,
    recording_token_provider,
)
from apps.authtenants.models import AuthTenant
from apps.sandbox import control
from apps.teamsapi.contract import TeamRole
from apps.teamsapi.errors import TeamsApiError
from apps.teamsapi.tokens import AccessToken, token_cache_key
from tests.conftest import fresh_cache_namespace
from tests.teamsapi.conftest import RecordingSleep, sleeping_client

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "CANARY-secret-7f3a9c1e-do-not-leak"


def test_secret_and_token_stay_out_of_logs_errors_and_reprs(
    auth_tenant: AuthTenant,
    sandbox: Sandbox,
    settings: SettingsWrapper,
    caplog: pytest.LogCaptureFixture,
    recording_sleep: RecordingSleep,
) -> None:
    caplog.set_level(logging.DEBUG)
    control.ensure_client(
        auth_domain=sandbox.auth_domain,
        client_id=sandbox.owner_client_id,
        client_secret=CANARY,
        scopes="read:tenants read:members read:team_activity create:invitations",
        name="Owner actions",
    )
    auth_tenant.clients.filter(client_id=sandbox.readonly_client_id).delete()
    row = auth_tenant.clients.get()
    row.set_secret(CANARY)
    row.save(update_fields=["secret_encrypted"])

    with sleeping_client(auth_tenant, recording_sleep) as client:
        client.list_environments()
        token = AccessToken.from_cache(
            cache.get(token_cache_key(connection_settings(auth_tenant), client_settings(row)))
        )
        assert token is not None
        texts = [repr(client), repr(token), repr(row), repr(auth_tenant)]

        def failing(call: object) -> None:
            with pytest.raises(TeamsApiError) as info:
                call()  # type: ignore[operator]
            texts.extend([str(info.value), repr(info.value), info.value.message])

        for faults in (
            {"error_rate": 1.0},
            {"malformed": "html"},
            {"malformed": "truncated"},
            {"rate_limit_burst": 10},
            {"latency_ms": 500},
        ):
            sandbox.set_faults(**faults)
            settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 0.3 if "latency_ms" in faults else 10.0
            failing(client.list_environments)
            failing(
                lambda: client.invite_member(email="leak@example.com", role=TeamRole.CONTRIBUTOR)
            )
            sandbox.clear_faults()
        settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 10.0

    # A token the API no longer accepts, then a mint that fails three different ways.
    settings.TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS = -30
    sandbox.set_faults(token_lifetime_seconds=2)
    fresh_cache_namespace(settings)
    with sleeping_client(auth_tenant, recording_sleep) as client:  # holds no token either
        client.list_environments()
        time.sleep(2.1)
        client.list_environments()
    sandbox.set_faults(token_outage=True)
    fresh_cache_namespace(settings)
    with sleeping_client(auth_tenant, recording_sleep) as client:
        failing(client.list_environments)
    sandbox.clear_faults()
    auth_tenant.domain = "impostor.us.auth0.com"
    auth_tenant.save(update_fields=["domain"])
    provider = recording_token_provider(sleep=recording_sleep)
    failing(lambda: provider.mint(connection_settings(auth_tenant), client_settings(row)))
    control.ensure_client(
        auth_domain=sandbox.auth_domain,
        client_id=sandbox.owner_client_id,
        client_secret="rotated-" + CANARY[::-1],
        scopes="read:members",
        name="Owner actions",
    )
    failing(lambda: provider.mint(connection_settings(auth_tenant), client_settings(row)))
    row.refresh_from_db()
    texts.append(row.token_last_error)

    haystack = "\n".join([caplog.text, *texts])
    assert "teams api list_environments" in caplog.text
    assert CANARY not in haystack
    assert token.value not in haystack
    assert token.value.split(".")[2] not in haystack
