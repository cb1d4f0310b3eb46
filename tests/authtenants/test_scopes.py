"""Scope gates: an action is available when an enabled client holds its scope, else says the fix."""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from apps.authtenants.features import KNOWN_SCOPES
from apps.authtenants.models import AuthTenant
from apps.authtenants.scopes import ScopeGate, action_gates, with_client_scopes
from apps.teamsapi.contract import OPERATIONS, OperationName
from tests.factories import READ_SCOPES, AuthClientFactory, AuthTenantFactory

pytestmark = pytest.mark.django_db


def test_read_only_clients_gate_every_write_with_the_missing_scope(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    auth_tenant = AuthTenantFactory.create()
    AuthClientFactory.create(auth_tenant=auth_tenant, scopes=READ_SCOPES)
    with django_assert_num_queries(1):
        gates = action_gates(auth_tenant)
    assert set(gates) == set(OPERATIONS)
    assert gates[OperationName.LIST_MEMBERS] is None
    gate = gates[OperationName.DELETE_TENANT]
    assert isinstance(gate, ScopeGate)
    assert str(gate) == (
        "Needs `delete:tenants`: grant it to a client of this Auth Tenant in Auth0, "
        "then add the scope here."
    )
    assert gate.fix_url == f"/auth-tenants/{auth_tenant.pk}/edit/"
    assert gates[OperationName.ADD_MEMBER_TENANTS].scope == "update:members"  # type: ignore[union-attr]


def test_a_client_with_every_scope_opens_every_action() -> None:
    auth_tenant = AuthTenantFactory.create()
    AuthClientFactory.create(auth_tenant=auth_tenant, scopes=READ_SCOPES)
    AuthClientFactory.create(auth_tenant=auth_tenant, scopes=" ".join(KNOWN_SCOPES))
    assert all(gate is None for gate in action_gates(auth_tenant).values())


def test_a_disabled_client_opens_nothing() -> None:
    auth_tenant = AuthTenantFactory.create()
    AuthClientFactory.create(auth_tenant=auth_tenant, scopes=" ".join(KNOWN_SCOPES), enabled=False)
    assert all(gate is not None for gate in action_gates(auth_tenant).values())


def test_gates_index_by_operation_name_in_templates() -> None:
    auth_tenant = AuthTenantFactory.create()
    gates = action_gates(auth_tenant)
    assert gates["create_tenant"] is gates[OperationName.CREATE_TENANT]  # type: ignore[index]


@pytest.mark.parametrize(
    "clients",
    [
        [],
        [(READ_SCOPES, True)],
        [(" ".join(KNOWN_SCOPES), False)],
        [(READ_SCOPES, True), (" ".join(KNOWN_SCOPES), True)],
        [("create:tenants", True), ("delete:tenants read:tenants", False)],
    ],
)
def test_scopes_carried_with_the_auth_tenant_gate_alike_without_a_query(
    clients: list[tuple[str, bool]], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    auth_tenant = AuthTenantFactory.create()
    for scopes, enabled in clients:
        AuthClientFactory.create(auth_tenant=auth_tenant, scopes=scopes, enabled=enabled)
    carried = with_client_scopes(AuthTenant.objects.filter(pk=auth_tenant.pk)).get()
    with django_assert_num_queries(0):
        gates = action_gates(carried)
    assert gates == action_gates(auth_tenant)
