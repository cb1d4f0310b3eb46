"""Owners create, edit and delete Auth Tenants and clients; helpdesk and auditors only read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.authtenants.models import AuthClient, AuthTenant
from tests.factories import AuthClientFactory, AuthTenantFactory

pytestmark = pytest.mark.django_db


def _write_routes(tenant: AuthTenant, client: AuthClient) -> list[str]:
    return [
        reverse("authtenants:create"),
        reverse("authtenants:edit", args=[tenant.pk]),
        reverse("authtenants:delete", args=[tenant.pk]),
        reverse("authtenants:test", args=[tenant.pk]),
        reverse("authtenants:client-add", args=[tenant.pk]),
        reverse("authtenants:client-edit", args=[client.pk]),
        reverse("authtenants:client-remove", args=[client.pk]),
    ]


@pytest.mark.parametrize("persona", ["helpdesk_client", "auditor_client"])
def test_readers_see_the_list_but_get_403_on_every_write(
    persona: str, request: pytest.FixtureRequest
) -> None:
    browser: Client = request.getfixturevalue(persona)
    client = AuthClientFactory.create(label="Owner actions")
    tenant = client.auth_tenant

    page = browser.get(reverse("authtenants:list"))
    assert page.status_code == 200
    assert tenant.name in page.content.decode()
    assert reverse("authtenants:edit", args=[tenant.pk]) not in page.content.decode()
    assert "Test connection" not in page.content.decode()

    for url in _write_routes(tenant, client):
        assert browser.post(url, {"name": "x"}).status_code == 403, url
        if url != reverse("authtenants:test", args=[tenant.pk]):
            assert browser.get(url).status_code == 403, url
    assert AuthTenant.objects.filter(pk=tenant.pk).exists()
    assert AuthClient.objects.filter(pk=client.pk).exists()


def test_anonymous_users_are_sent_to_login() -> None:
    response = Client().get(reverse("authtenants:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_auth_tenants_appear_in_the_navigation(auditor_client: Client) -> None:
    response = auditor_client.get(reverse("core:home"))
    assert reverse("authtenants:list") in response.content.decode()


def test_owner_creates_an_auth_tenant_then_adds_a_client(owner_client: Client) -> None:
    response = owner_client.post(
        reverse("authtenants:create"),
        {
            "name": "Globex",
            "team_slug": "Globex",
            "domain": "Globex.EU.auth0.com",
            "region": "EU",
            "cloud": "public",
            "enabled": "on",
        },
    )
    tenant = AuthTenant.objects.get(name="Globex")
    assert response.status_code == 302
    assert response["Location"] == reverse("authtenants:client-add", args=[tenant.pk])
    assert (tenant.team_slug, tenant.domain) == ("globex", "globex.eu.auth0.com")
    assert tenant.audience == "https://globex.teams.auth0.com/api/"
    assert tenant.api_base_url == "https://globex.teams.auth0.com"
    assert tenant.token_url == "https://globex.eu.auth0.com/oauth/token"
    assert tenant.jwks_url == "https://globex.eu.auth0.com/.well-known/jwks.json"
    assert tenant.issuer == "https://globex.eu.auth0.com/"

    response = owner_client.post(
        reverse("authtenants:client-add", args=[tenant.pk]),
        {
            "label": "Sync",
            "client_id": "globexClient1",
            "secret": "globex-secret-1",
            "scopes": ["read:team_activity", "read:members"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    client = tenant.clients.get()
    assert client.scopes == "read:members read:team_activity"
    assert client.get_secret() == "globex-secret-1"


def test_owner_sees_a_duplicate_client_id_as_a_form_error(owner_client: Client) -> None:
    existing = AuthClientFactory.create(client_id="dupClient")
    response = owner_client.post(
        reverse("authtenants:client-add", args=[existing.auth_tenant.pk]),
        {"label": "Again", "client_id": "dupClient", "secret": "x", "enabled": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AuthClient.objects.count() == 1


def test_adding_a_client_requires_a_secret(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create()
    response = owner_client.post(
        reverse("authtenants:client-add", args=[tenant.pk]),
        {"label": "No secret", "client_id": "c1", "secret": "", "enabled": "on"},
    )
    assert response.context["form"].errors["secret"]
    assert not tenant.clients.exists()


def test_owner_edits_a_client_and_a_blank_secret_keeps_the_stored_one(
    owner_client: Client,
) -> None:
    client = AuthClientFactory.create(secret="kept-secret", scopes="read:members")
    response = owner_client.post(
        reverse("authtenants:client-edit", args=[client.pk]),
        {
            "label": "Renamed",
            "client_id": client.client_id,
            "secret": "",
            "scopes": ["read:members", "read:tenants"],
        },
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.label, client.enabled) == ("Renamed", False)
    assert client.scope_set == {"read:members", "read:tenants"}
    assert client.get_secret() == "kept-secret"


def test_changing_a_secret_clears_the_old_token_status(owner_client: Client) -> None:
    client = AuthClientFactory.create(
        secret="old", token_last_error="the client secret is wrong", token_scopes="read:members"
    )
    owner_client.post(
        reverse("authtenants:client-edit", args=[client.pk]),
        {"label": client.label, "client_id": client.client_id, "secret": "new", "enabled": "on"},
    )
    client.refresh_from_db()
    assert client.get_secret() == "new"
    assert (client.token_last_error, client.token_scopes) == ("", "")


def test_owner_edits_an_auth_tenant(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Old name")
    response = owner_client.post(
        reverse("authtenants:edit", args=[tenant.pk]),
        {
            "name": "New name",
            "team_slug": "acme",
            "domain": "acme.eu.auth0.com",
            "region": "EU",
            "cloud": "private",
            "organization": "org_123",
            "audience_override": "https://custom.example.com/api/",
        },
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.domain, tenant.cloud, tenant.enabled) == (
        "New name",
        "acme.eu.auth0.com",
        "private",
        False,
    )
    assert tenant.audience == "https://custom.example.com/api/"


def test_delete_asks_for_confirmation_then_deletes(owner_client: Client) -> None:
    client = AuthClientFactory.create()
    tenant = client.auth_tenant
    url = reverse("authtenants:delete", args=[tenant.pk])

    confirm = owner_client.get(url, headers={"HX-Request": "true"})
    assert confirm.status_code == 200
    assert f'id="authtenant-confirm-{tenant.pk}"' in confirm.content.decode()
    assert "<html" not in confirm.content.decode()
    assert AuthTenant.objects.filter(pk=tenant.pk).exists()

    response = owner_client.post(url, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("authtenants:list")
    assert not AuthTenant.objects.filter(pk=tenant.pk).exists()
    assert not AuthClient.objects.filter(pk=client.pk).exists()


def test_delete_without_javascript_redirects_with_a_message(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Plain")
    page = owner_client.get(reverse("authtenants:delete", args=[tenant.pk]))
    assert (
        "<html" in page.content.decode() and "Delete the Auth Tenant Plain" in page.content.decode()
    )
    response = owner_client.post(reverse("authtenants:delete", args=[tenant.pk]), follow=True)
    assert "Auth Tenant Plain deleted." in response.content.decode()


def test_owner_removes_a_client_after_confirming(owner_client: Client) -> None:
    client = AuthClientFactory.create(label="Old client")
    url = reverse("authtenants:client-remove", args=[client.pk])
    assert "Remove the client Old client" in owner_client.get(url).content.decode()
    response = owner_client.post(url, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("authtenants:list")
    assert not AuthClient.objects.filter(pk=client.pk).exists()


def test_list_shows_feature_coverage_and_token_status(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create()
    AuthClientFactory.create(
        auth_tenant=tenant,
        label="Reader",
        scopes="read:members read:tenants",
        token_last_error="Could not get a token: the client secret is wrong.",
    )
    AuthClient.objects.update(token_last_error_at="2026-01-01T00:00:00Z")
    html = owner_client.get(reverse("authtenants:list")).content.decode()
    assert "Could not get a token: the client secret is wrong." in html
    assert "missing scope create:invitations" in html
    assert "missing scope read:team_activity" in html
    assert "Browse members" in html and "Reader" in html


def _list_queries(browser: Client) -> int:
    browser.get(reverse("authtenants:list"))  # warm the session and role caches
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("authtenants:list")).status_code == 200
    return len(queries.captured_queries)


def test_list_query_count_does_not_grow_with_tenants_or_clients(owner_client: Client) -> None:
    AuthClientFactory.create()
    baseline = _list_queries(owner_client)
    for _ in range(5):
        AuthClientFactory.create_batch(3, auth_tenant=AuthTenantFactory.create())
    assert _list_queries(owner_client) == baseline
    assert baseline <= 6  # session, user, role, team switcher, tenants, prefetched clients
