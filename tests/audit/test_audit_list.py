"""The Dashboard actions page and its selector: newest first, filtered, keyset pages, by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.audit.selectors import audit_list
from apps.audit.services import audit_record
from apps.authtenants.models import AuthTenant
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> AuthTenant:
    return AuthTenantFactory.create(name="Acme")


def _entries(actor: User, auth_tenant: AuthTenant, count: int) -> list[AuditEntry]:
    return [
        audit_record(
            actor=actor,
            auth_tenant=auth_tenant,
            action=AuditAction.MEMBER_INVITE,
            target_type="member",
            target_label=f"person{n}@acme.test",
        )
        for n in range(count)
    ]


def test_keyset_pages_walk_older_and_back_newer(owner: User, acme: AuthTenant) -> None:
    entries = _entries(owner, acme, 5)
    ids = [e.pk for e in reversed(entries)]  # newest first
    first = audit_list(auth_tenant=acme, limit=2)
    assert [e.pk for e in first.entries] == ids[:2]
    assert (first.newer_than, first.older_than) == (None, ids[1])
    second = audit_list(auth_tenant=acme, before_id=first.older_than, limit=2)
    assert [e.pk for e in second.entries] == ids[2:4]
    assert (second.newer_than, second.older_than) == (ids[2], ids[3])
    last = audit_list(auth_tenant=acme, before_id=second.older_than, limit=2)
    assert ([e.pk for e in last.entries], last.older_than) == (ids[4:], None)
    back = audit_list(auth_tenant=acme, after_id=second.newer_than, limit=2)
    assert [e.pk for e in back.entries] == ids[:2]
    assert (back.newer_than, back.older_than) == (None, ids[1])


def test_filters_by_auth_tenant_action_and_user(
    owner: User, helpdesk: User, acme: AuthTenant
) -> None:
    other = AuthTenantFactory.create(name="Other")
    _entries(owner, acme, 1)
    _entries(helpdesk, acme, 1)
    _entries(owner, other, 1)
    removal = audit_record(actor=owner, auth_tenant=acme, action=AuditAction.MEMBER_REMOVE)
    assert len(audit_list(auth_tenant=acme).entries) == 3
    assert len(audit_list().entries) == 4
    assert audit_list(auth_tenant=acme, action="member_remove").entries == [removal]
    assert {
        e.actor_username for e in audit_list(auth_tenant=acme, actor="HELPDESK-user").entries
    } == {"helpdesk-user"}


def test_entries_of_no_auth_tenant_show_in_every_teams_list(owner: User, acme: AuthTenant) -> None:
    other = AuthTenantFactory.create(name="Other")
    _entries(owner, other, 1)
    sign_in = audit_record(actor=owner, auth_tenant=None, action=AuditAction.SSO_SIGN_IN)
    assert audit_list(auth_tenant=acme).entries == [sign_in]
    assert [e.auth_tenant for e in audit_list(auth_tenant=other).entries] == [None, other]


def test_owner_and_auditor_see_the_page_helpdesk_does_not(
    owner_client: Client, auditor_client: Client, helpdesk_client: Client
) -> None:
    assert owner_client.get("/audit/").status_code == 200
    assert auditor_client.get("/audit/").status_code == 200
    assert helpdesk_client.get("/audit/").status_code == 403


def test_empty_page_explains_what_will_appear(auditor_client: Client, acme: AuthTenant) -> None:
    page = auditor_client.get("/audit/").content.decode()
    assert "No dashboard actions yet" in page
    assert 'href="/audit/"' in page  # the nav item


def test_page_shows_labels_parameters_and_outcome_in_bounded_queries(
    auditor_client: Client,
    owner: User,
    acme: AuthTenant,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(30):
        audit_record(
            actor=owner,
            auth_tenant=acme,
            action=AuditAction.TENANT_ACCESS_GRANT,
            target_type="member",
            target_label="ada@acme.test",
            parameters={"tenant_ids": ["t-1", "t-2"], "roles": ["editor-users"]},
            outcome=AuditOutcome.PARTIAL,
            message="1 of 2 tenants granted.",
        )
    with django_assert_max_num_queries(12):
        page = auditor_client.get("/audit/?action=tenant_access_grant&user=owner-user")
    html = page.content.decode()
    assert "Grant tenant access" in html and "tenant_access_grant</td>" not in html
    assert "Partly succeeded" in html and "1 of 2 tenants granted." in html
    assert "<dt>Roles</dt><dd>Editor – Users</dd>" in html
    assert "<dt>Tenant ids</dt><dd>t-1, t-2</dd>" in html


def test_older_link_pages_without_repeating_entries(
    auditor_client: Client, owner: User, acme: AuthTenant
) -> None:
    entries = _entries(owner, acme, 51)
    first = auditor_client.get("/audit/").content.decode()
    assert f"?before={entries[1].pk}" in first and "person0@acme.test" not in first
    older = auditor_client.get(f"/audit/?before={entries[1].pk}").content.decode()
    assert "person0@acme.test" in older and "person1@acme.test" not in older
    assert f"?after={entries[0].pk}" in older


@pytest.mark.parametrize("query", ["action=tenant_eat", "before=-3", "user=a%00b"])
def test_an_invalid_filter_lists_nothing_and_says_why(
    auditor_client: Client, owner: User, acme: AuthTenant, query: str
) -> None:
    _entries(owner, acme, 3)
    html = auditor_client.get(f"/audit/?{query}").content.decode()
    assert "person0@acme.test" not in html
    assert "Nothing is listed until the filters above are fixed." in html
