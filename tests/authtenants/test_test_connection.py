"""'Test connection' mints a token per client against the sandbox and says in plain words what works."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants import services
from apps.authtenants.models import AuthClient, AuthTenant
from apps.sandbox import control
from tests.factories import AuthClientFactory
from tests.fixtures.sandbox import Sandbox

CANARY = "canary-secret-7f3a9c"


def test_working_clients_get_tokens_and_pass_every_read_probe(
    sandbox: Sandbox, auth_tenant: AuthTenant, owner: User
) -> None:
    result = services.auth_tenant_test_connection(actor=owner, auth_tenant=auth_tenant)

    assert result.ok, result
    assert result.message == "2 of 2 clients work."
    readonly = next(c for c in result.clients if c.label == "Read-only sync")
    assert readonly.message == "Got a valid token."
    assert [p.scope for p in readonly.probes] == [
        "read:tenants",
        "read:members",
        "read:team_activity",
    ]
    assert all("got a page of results" in p.detail for p in readonly.probes)
    row = AuthClient.objects.get(pk=readonly.auth_client_pk)
    assert row.token_state == "ok"
    assert row.token_kind == "jwt"
    assert row.token_scope_set == {"read:tenants", "read:members", "read:team_activity"}
    assert row.token_expires_at is not None
    assert len(sandbox.requests_log(path_contains="/oauth/token")) == 2


def test_wrong_secret_is_reported_in_plain_words(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner: User
) -> None:
    client = readonly_auth_tenant.clients.get()
    client.set_secret(CANARY)
    client.save(update_fields=["secret_encrypted"])

    result = services.auth_tenant_test_connection(actor=owner, auth_tenant=readonly_auth_tenant)

    outcome = result.clients[0]
    assert not result.ok and not outcome.token_ok
    assert "the client secret is wrong" in outcome.message
    assert outcome.probes == ()
    client.refresh_from_db()
    assert client.token_state == "error"
    assert "the client secret is wrong" in client.token_last_error
    assert sandbox.requests_log(path_contains="/api/") == []


def test_unknown_client_is_reported_in_plain_words(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner: User
) -> None:
    readonly_auth_tenant.clients.update(client_id="noSuchClient000000000000000000001")

    result = services.auth_tenant_test_connection(actor=owner, auth_tenant=readonly_auth_tenant)

    assert "does not know this client id" in result.clients[0].message


def test_missing_scope_names_the_scope(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner: User
) -> None:
    control.ensure_client(
        auth_domain=sandbox.auth_domain,
        client_id="membersOnlyClient00000000000000001",
        client_secret="members-only-secret",
        scopes="read:members",
        name="Members only",
    )
    readonly_auth_tenant.clients.all().delete()
    AuthClientFactory.create(
        auth_tenant=readonly_auth_tenant,
        label="Members only",
        client_id="membersOnlyClient00000000000000001",
        secret="members-only-secret",
        scopes="read:members read:tenants",
    )

    result = services.auth_tenant_test_connection(actor=owner, auth_tenant=readonly_auth_tenant)

    outcome = result.clients[0]
    assert outcome.token_ok and not outcome.ok
    assert "lacks the configured scope(s) read:tenants" in outcome.message
    by_scope = {probe.scope: probe for probe in outcome.probes}
    assert by_scope["read:members"].ok
    assert not by_scope["read:tenants"].ok
    assert "read:tenants" in by_scope["read:tenants"].detail


def test_disabled_clients_are_not_tested(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner: User
) -> None:
    readonly_auth_tenant.clients.update(enabled=False)
    result = services.auth_tenant_test_connection(actor=owner, auth_tenant=readonly_auth_tenant)
    assert not result.ok
    assert "no enabled client" in result.message
    assert sandbox.requests_log() == []


def test_a_host_no_longer_allowed_is_not_contacted(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_SANDBOX = False
    result = services.auth_tenant_test_connection(actor=owner, auth_tenant=readonly_auth_tenant)
    assert result.message.startswith("Not tested: the API base URL is not allowed")
    assert sandbox.requests_log() == []


def test_test_button_swaps_the_card_with_the_result_and_never_shows_the_secret(
    sandbox: Sandbox,
    readonly_auth_tenant: AuthTenant,
    owner_client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = readonly_auth_tenant.clients.get()
    client.set_secret(CANARY)
    client.save(update_fields=["secret_encrypted"])
    caplog.set_level(logging.DEBUG)

    response = owner_client.post(
        reverse("authtenants:test", args=[readonly_auth_tenant.pk]),
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        f'<article class="card" id="authtenant-{readonly_auth_tenant.pk}"'
    )
    assert "problems found" in html
    assert "the client secret is wrong" in html
    assert "token failed" in html  # the row's status was refreshed too
    assert CANARY not in html
    assert CANARY not in caplog.text


def test_test_without_javascript_renders_the_whole_page(
    sandbox: Sandbox, auth_tenant: AuthTenant, owner_client: Client
) -> None:
    response = owner_client.post(reverse("authtenants:test", args=[auth_tenant.pk]))
    html = response.content.decode()
    assert "<html" in html
    assert "all good" in html
    assert "token OK" in html
