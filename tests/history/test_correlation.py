"""Pairing dashboard actions with the Auth0 events they caused: target, time, client, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytest_django import DjangoAssertNumQueries

from apps.audit.models import AuditAction
from apps.authtenants.models import AuthTenant
from apps.history.correlation import (
    CAUSES,
    EVENT_AFTER_ENTRY,
    EVENT_BEFORE_ENTRY,
    LOCAL_ACTIONS,
    Links,
    links_near,
)
from tests.factories import AuthClientFactory, AuthTenantFactory
from tests.history.conftest import DASHBOARD_CLIENT, entry, event

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ADA = "auth0|000000000000000000000001"
BOB = "auth0|000000000000000000000002"
PROD, DEV, QA = (
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
)


@pytest.fixture
def acme(db: None) -> AuthTenant:
    auth_tenant = AuthTenantFactory.create(name="Acme")
    AuthClientFactory.create(auth_tenant=auth_tenant, client_id=DASHBOARD_CLIENT)
    return auth_tenant


def _links(acme: AuthTenant) -> Links:
    return links_near(auth_tenant=acme, moments=[T])


def test_every_dashboard_action_names_the_event_it_causes_or_is_local() -> None:
    assert not set(CAUSES) & LOCAL_ACTIONS
    assert set(CAUSES) | LOCAL_ACTIONS == set(AuditAction)


def test_a_role_change_is_paired_with_its_event_only(acme: AuthTenant) -> None:
    change = entry(acme, T, AuditAction.MEMBER_ROLE_CHANGE, target_type="member", target_id=ADA)
    caused = event(
        acme, T - timedelta(seconds=1), "member_role_updated", details={"member_id": ADA}
    )
    event(acme, T - timedelta(seconds=2), "member_role_updated", details={"member_id": BOB})
    event(  # someone changing Ada's role in Auth0's own dashboard at the same moment
        acme,
        T - timedelta(milliseconds=500),
        "member_role_updated",
        details={"member_id": ADA},
        actor_id="auth0|someone",
        actor_type="user",
    )
    event(acme, T - timedelta(seconds=1), "member_deleted", details={"member_id": ADA})
    links = _links(acme)
    assert links.events_of(change) == [caused]
    assert list(links.cause_of) == [caused.pk]


def test_the_window_is_mostly_before_the_entry(acme: AuthTenant) -> None:
    """The entry is written after Auth0 answered: its event comes first."""
    remove = entry(acme, T, AuditAction.MEMBER_REMOVE, target_type="member", target_id=ADA)
    details = {"member_id": ADA, "email": "ada@acme.test"}
    too_early = event(
        acme, T - EVENT_BEFORE_ENTRY - timedelta(seconds=1), "member_deleted", details=details
    )
    too_late = event(
        acme, T + EVENT_AFTER_ENTRY + timedelta(seconds=1), "member_deleted", details=details
    )
    assert _links(acme).events_of(remove) == []
    too_early.created_at = T - EVENT_BEFORE_ENTRY
    too_early.save(update_fields=["created_at"])
    assert _links(acme).events_of(remove) == [too_early]
    assert too_late.pk not in _links(acme).cause_of


def test_repeated_actions_each_get_the_nearest_event_once(acme: AuthTenant) -> None:
    first = entry(acme, T, AuditAction.MEMBER_ROLE_CHANGE, target_type="member", target_id=ADA)
    second = entry(
        acme,
        T + timedelta(seconds=20),
        AuditAction.MEMBER_ROLE_CHANGE,
        target_type="member",
        target_id=ADA,
    )
    details = {"member_id": ADA}
    one = event(acme, T - timedelta(seconds=1), "member_role_updated", details=details)
    two = event(acme, T + timedelta(seconds=19), "member_role_updated", details=details)
    links = _links(acme)
    assert (links.events_of(first), links.events_of(second)) == ([one], [two])


def test_a_tenant_access_call_is_paired_with_one_event_per_tenant_it_named(
    acme: AuthTenant,
) -> None:
    grant = entry(
        acme,
        T,
        AuditAction.TENANT_ACCESS_GRANT,
        target_type="member",
        target_id=ADA,
        parameters={"tenant_ids": [PROD, DEV], "roles": ["owner"]},
    )
    added = [
        event(
            acme,
            T - timedelta(seconds=1),
            "tenant_member_added",
            details={"member_id": ADA, "tenant_id": tenant},
        )
        for tenant in (PROD, DEV, QA)
    ]
    assert {e.pk for e in _links(acme).events_of(grant)} == {added[0].pk, added[1].pk}


def test_an_invitation_is_found_by_its_email_whatever_the_case(acme: AuthTenant) -> None:
    invite = entry(
        acme, T, AuditAction.MEMBER_INVITE, target_type="invitation", target_label="New@Acme.test"
    )
    invited = event(
        acme,
        T - timedelta(seconds=1),
        "member_invited",
        details={"email": "new@acme.test", "role": "teams_contributor"},
    )
    event(acme, T - timedelta(seconds=1), "member_invited", details={"email": "other@acme.test"})
    assert _links(acme).events_of(invite) == [invited]


def test_another_auth_tenants_log_is_never_paired(acme: AuthTenant) -> None:
    other = AuthTenantFactory.create(name="Other")
    AuthClientFactory.create(auth_tenant=other, client_id=DASHBOARD_CLIENT + "x")
    delete = entry(acme, T, AuditAction.TENANT_DELETE, target_type="tenant", target_id=PROD)
    event(other, T, "tenant_deleted", details={"tenant_id": PROD}, actor_id=DASHBOARD_CLIENT)
    assert _links(acme).events_of(delete) == []


def test_a_whole_page_is_paired_in_three_queries(
    acme: AuthTenant, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    moments = [T + timedelta(days=day) for day in range(20)]
    for at in moments:
        entry(acme, at, AuditAction.TENANT_DELETE, target_type="tenant", target_id=PROD)
        event(acme, at - timedelta(seconds=1), "tenant_deleted", details={"tenant_id": PROD})
    with django_assert_num_queries(3):
        links = links_near(auth_tenant=acme, moments=moments)
    assert len(links.cause_of) == 20
