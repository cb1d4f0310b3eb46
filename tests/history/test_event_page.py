"""The activity event page: every field with its label, readable details, links to the member
and tenant it names, the events around it, and only for events of a team shown here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction
from tests.factories import AuthClientFactory, AuthTenantFactory
from tests.fixtures.directory import Directory
from tests.history.conftest import DASHBOARD_CLIENT, entry, event

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _page(client: Client, shown: ActivityEvent) -> str:
    response = client.get(reverse("activity:detail", args=[shown.pk]))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _member_url(directory: Directory, member_id: str) -> str:
    return f"/members/{quote(member_id, safe='')}/?auth_tenant={directory.auth_tenant.pk}"


@pytest.fixture
def access_added(directory: Directory) -> ActivityEvent:
    """Ada (a member) gave Bob access to acme-prod, with nested details."""
    return event(
        directory.auth_tenant,
        T,
        "tenant_member_added",
        type="Tenant Member",
        actor_id=directory.ada.member_id,
        actor_type="user",
        actor_name="Ada Lovelace",
        actor_is_member=True,
        actor_team_role="teams_owner",
        ip="203.0.113.7",
        hostname="acme.teams.auth0.com",
        user_agent="Mozilla/5.0 (X11)",
        version="1.0",
        details={
            "member_id": directory.bob.member_id,
            "tenant_id": directory.prod.tenant_id,
            "roles": ["editor-users"],
            "via": {"source": "dashboard", "steps": [{"step": "check"}, {"step": "grant"}]},
        },
    )


def test_every_field_is_shown_with_a_label(
    auditor_client: Client, access_added: ActivityEvent
) -> None:
    page = _page(auditor_client, access_added)
    for label, value in [
        ("Type", "Tenant Member"),
        ("Event", "Tenant member added"),
        ("Outcome", "Success"),
        ("IP address", "203.0.113.7"),
        ("Host", "acme.teams.auth0.com"),
        ("User agent", "Mozilla/5.0 (X11)"),
        ("Event id", access_added.external_id),
        ("Schema version", "1.0"),
    ]:
        assert f"<dt>{label}</dt><dd>" in page, label
        assert value in page.split(f"<dt>{label}</dt><dd>", 1)[1].split("</dd>", 1)[0], label
    assert "2026-11-02 09:00:00 UTC" in page
    assert "Person · team member · Team owner" in page


def test_details_read_as_a_list_at_every_depth(
    auditor_client: Client, access_added: ActivityEvent
) -> None:
    page = _page(auditor_client, access_added)
    body = page.split("<body", 1)[1]  # the head's htmx configuration is JSON by design
    assert "{'" not in body and "[{" not in body
    assert "<dt>Roles</dt><dd>Editor – Users</dd>" in page
    assert "<dt>Source</dt><dd>dashboard</dd>" in page
    assert '<ol class="details-items"><li><dl class="details"><dt>Step</dt><dd>check</dd>' in page


def test_the_member_tenant_and_actor_link_to_their_pages_with_the_mirrors_names(
    auditor_client: Client, directory: Directory, access_added: ActivityEvent
) -> None:
    page = _page(auditor_client, access_added)
    bob = f'<a href="{_member_url(directory, directory.bob.member_id)}">Bob Byte</a> <span class="muted">bob@acme.test</span>'
    assert bob in page
    ada = f'<a href="{_member_url(directory, directory.ada.member_id)}">Ada Lovelace</a>'
    assert ada in page.split("<dt>Actor</dt>", 1)[1]
    tenant = f'<a href="/tenants/{directory.prod.tenant_id}/?auth_tenant={directory.auth_tenant.pk}">acme-prod</a>'
    assert tenant in page
    # The links lead somewhere for this auditor.
    assert auditor_client.get(_member_url(directory, directory.bob.member_id)).status_code == 200


def test_ids_the_mirror_does_not_know_are_shown_without_a_dead_link(
    auditor_client: Client, directory: Directory
) -> None:
    stranger = event(
        directory.auth_tenant,
        T,
        "member_deleted",
        details={"member_id": "auth0|ffffffffffffffffffffffff", "email": "gone@acme.test"},
        actor_id="auth0|nobody",
        actor_type="user",
        actor_name="Somebody",
    )
    page = _page(auditor_client, stranger)
    assert (
        '<code>auth0|ffffffffffffffffffffffff</code> <span class="muted">(not in this team\'s directory)</span>'
        in page
    )
    assert "/members/auth0" not in page
    assert "Somebody" in page


def test_a_former_member_is_marked(auditor_client: Client, directory: Directory) -> None:
    left = event(
        directory.auth_tenant, T, "member_deleted", details={"member_id": directory.left.member_id}
    )
    assert "Lee Left</a>" in _page(auditor_client, left)
    assert "left the team" in _page(auditor_client, left)


def test_the_five_events_before_and_after_are_shown_in_order(
    auditor_client: Client, directory: Directory
) -> None:
    log = [
        event(directory.auth_tenant, T + timedelta(minutes=n), f"event_{n:02d}") for n in range(13)
    ]
    other = AuthTenantFactory.create(name="Other")
    event(other, T + timedelta(minutes=6, seconds=1), "elsewhere")
    page = _page(auditor_client, log[6]).split("Events around this one", 1)[1]
    shown = [name for n in range(13) if (name := f"Event {n:02d}") in page]
    assert shown == [f"Event {n:02d}" for n in range(1, 12)]
    assert (
        page.index("Event 01")
        < page.index('Event 06 <span class="muted">(this event)')
        < page.index("Event 11")
    )
    assert f'href="{reverse("activity:detail", args=[log[5].pk])}"' in page
    assert "elsewhere" not in page.lower()


def test_the_first_event_has_only_later_neighbours(
    auditor_client: Client, directory: Directory
) -> None:
    log = [
        event(directory.auth_tenant, T + timedelta(minutes=n), f"event_{n:02d}") for n in range(3)
    ]
    page = _page(auditor_client, log[0])
    assert "The 0 events before and 2 after it" in page


def test_an_event_of_a_disabled_auth_tenant_is_not_found(
    auditor_client: Client, owner_client: Client, directory: Directory
) -> None:
    hidden = AuthTenantFactory.create(name="Hidden", enabled=False)
    secret = event(hidden, T, "member_deleted", details={"member_id": "auth0|x"})
    url = reverse("activity:detail", args=[secret.pk])
    assert auditor_client.get(url).status_code == 404
    assert owner_client.get(url).status_code == 404
    assert (
        auditor_client.get(reverse("activity:detail", args=[secret.pk + 1000])).status_code == 404
    )


def test_an_event_of_another_enabled_team_links_into_that_team(
    auditor_client: Client, directory: Directory
) -> None:
    other = AuthTenantFactory.create(name="Beta")
    shown = event(other, T, "member_deleted")
    page = _page(auditor_client, shown)
    assert "activity log of <strong>Beta</strong>" in page
    assert f'href="/activity/?auth_tenant={other.pk}"' in page


def test_the_dashboard_action_behind_the_event_is_named_and_linked(
    auditor_client: Client, directory: Directory
) -> None:
    AuthClientFactory.create(auth_tenant=directory.auth_tenant, client_id=DASHBOARD_CLIENT)
    change = entry(
        directory.auth_tenant,
        T,
        AuditAction.MEMBER_ROLE_CHANGE,
        target_type="member",
        target_id=directory.bob.member_id,
    )
    caused = event(
        directory.auth_tenant,
        T - timedelta(seconds=1),
        "member_role_updated",
        details={"member_id": directory.bob.member_id},
    )
    page = _page(auditor_client, caused)
    assert (
        f'Asked for in this dashboard by <strong>owner-user</strong> — <a href="/audit/{change.pk}/">Change team role</a> at'
        in page
    )
    unrelated = event(
        directory.auth_tenant,
        T - timedelta(seconds=1),
        "member_role_updated",
        details={"member_id": directory.ada.member_id},
    )
    assert "Asked for in this dashboard" not in _page(auditor_client, unrelated)


def test_the_page_reads_in_a_bounded_number_of_queries(
    auditor_client: Client,
    access_added: ActivityEvent,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(12):
        auditor_client.get(reverse("activity:detail", args=[access_added.pk]))
