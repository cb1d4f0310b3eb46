"""The dashboard action page and the Dashboard actions list: each action with the Auth0 events
it caused, its parameters readable, its target linked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from tests.factories import AuthClientFactory, AuthTenantFactory
from tests.fixtures.directory import Directory
from tests.history.conftest import DASHBOARD_CLIENT, entry, event

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(directory: Directory) -> AuthTenant:
    AuthClientFactory.create(auth_tenant=directory.auth_tenant, client_id=DASHBOARD_CLIENT)
    return directory.auth_tenant


@pytest.fixture
def grant(directory: Directory, team: AuthTenant) -> AuditEntry:
    """Owner granted Bob access to prod and dev; Auth0 logged one event per tenant."""
    made = entry(
        team,
        T,
        AuditAction.TENANT_ACCESS_GRANT,
        target_type="member",
        target_id=directory.bob.member_id,
        target_label="bob@acme.test",
        parameters={
            "tenant_ids": [directory.prod.tenant_id, directory.dev.tenant_id],
            "roles": ["editor-users"],
            "client_ids": [],
        },
        request_id="req-123",
    )
    for tenant in (directory.prod, directory.dev):
        event(
            team,
            T - timedelta(seconds=1),
            "tenant_member_added",
            type="Tenant Member",
            details={"member_id": directory.bob.member_id, "tenant_id": tenant.tenant_id},
        )
    return made


def test_the_entry_page_shows_the_action_its_parameters_and_the_events_it_caused(
    auditor_client: Client, directory: Directory, grant: AuditEntry
) -> None:
    response = auditor_client.get(reverse("audit:detail", args=[grant.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Grant tenant access" in page
    assert "{'" not in page
    assert "<dt>Roles</dt><dd>Editor – Users</dd>" in page
    assert '<dt>Client ids</dt><dd><span class="muted">none</span></dd>' in page
    assert ">Bob Byte</a>" in page and ">acme-prod</a>" in page and ">acme-dev</a>" in page
    assert "<code>req-123</code>" in page
    caused = page.split("In Auth0's activity log", 1)[1]
    assert caused.count(">Tenant member added</a>") == 2


def test_an_entry_without_events_says_when_they_will_appear(
    auditor_client: Client, team: AuthTenant
) -> None:
    lonely = entry(team, T, AuditAction.TENANT_DELETE, target_type="tenant", target_id="t-1")
    page = auditor_client.get(reverse("audit:detail", args=[lonely.pk])).content.decode()
    assert "No matching event in the synced activity log" in page
    assert 'href="/sync/"' in page


def test_an_entry_of_a_disabled_auth_tenant_is_not_found(
    auditor_client: Client, owner_client: Client
) -> None:
    hidden = entry(
        AuthTenantFactory.create(name="Hidden", enabled=False), T, AuditAction.MEMBER_REMOVE
    )
    url = reverse("audit:detail", args=[hidden.pk])
    assert (auditor_client.get(url).status_code, owner_client.get(url).status_code) == (404, 404)


def test_helpdesk_cannot_read_an_entry(helpdesk_client: Client, grant: AuditEntry) -> None:
    assert helpdesk_client.get(reverse("audit:detail", args=[grant.pk])).status_code == 403


def test_the_list_links_each_entry_to_its_page_and_its_events(
    auditor_client: Client,
    team: AuthTenant,
    grant: AuditEntry,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(20):
        entry(team, T + timedelta(days=n + 1), AuditAction.MEMBER_REMOVE, target_id=f"auth0|{n}")
    with django_assert_max_num_queries(12):
        response = auditor_client.get(reverse("audit:list"))
    page = response.content.decode()
    assert f'href="/audit/{grant.pk}/"' in page
    for caused in ActivityEvent.objects.filter(auth_tenant=team):
        assert f'href="/activity/events/{caused.pk}/">Tenant member added</a>' in page


@pytest.mark.parametrize(
    "q", ["BOB@acme", "google-oauth2|1234", "editor-users", "tenants granted", "roles"]
)
def test_search_covers_target_parameters_and_message(
    auditor_client: Client, directory: Directory, grant: AuditEntry, q: str
) -> None:
    grant.message = "2 of 2 tenants granted."
    grant.outcome = AuditOutcome.SUCCESS
    grant.save(update_fields=["message", "outcome"])
    entry(directory.auth_tenant, T, AuditAction.MEMBER_REMOVE, target_label="zed@acme.test")
    page = auditor_client.get(reverse("audit:list"), {"q": q}).content.decode()
    assert "bob@acme.test" in page
    assert "zed@acme.test" not in page


def test_a_search_matching_nothing_says_so(auditor_client: Client, grant: AuditEntry) -> None:
    page = auditor_client.get(reverse("audit:list"), {"q": "no-such-thing"}).content.decode()
    assert "No dashboard actions match these filters." in page


def test_the_filtered_table_fragment_keeps_the_event_links(
    auditor_client: Client, grant: AuditEntry
) -> None:
    response = auditor_client.get(
        reverse("audit:list"), {"q": "bob"}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="audit-table">')
    assert fragment.count(">Tenant member added</a>") == 2
