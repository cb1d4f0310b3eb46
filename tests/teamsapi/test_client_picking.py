"""Per-operation choice of credentials: the enabled client with the fewest scopes that suffices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import TeamRole
from apps.teamsapi.errors import NoClientForScope, TeamsApiForbidden

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_reads_use_the_read_only_client_and_writes_the_owner_client(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    api.list_environments()
    api.invite_member(email="picked@example.com", role=TeamRole.CONTRIBUTOR)
    reads = sandbox.requests_log(path_contains="/api/environments")
    writes = sandbox.requests_log(path_contains="/api/members", method="POST")
    assert [r.client_id for r in reads] == [sandbox.readonly_client_id]
    assert [r.client_id for r in writes] == [sandbox.owner_client_id]


def test_disabled_clients_are_never_picked(auth_tenant: AuthTenant, sandbox: Sandbox) -> None:
    auth_tenant.clients.filter(client_id=sandbox.readonly_client_id).update(enabled=False)
    with teams_client(auth_tenant) as client:
        client.list_environments()
    assert [r.client_id for r in sandbox.requests_log(path_contains="/api/environments")] == [
        sandbox.owner_client_id
    ]


def test_no_client_with_the_scope_names_the_scope_and_the_feature(
    readonly_auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    with teams_client(readonly_auth_tenant) as client, pytest.raises(NoClientForScope) as info:
        client.invite_member(email="x@example.com", role=TeamRole.CONTRIBUTOR)
    assert info.value.scope == "create:invitations"
    assert "create:invitations" in info.value.message
    assert "invite members" in info.value.message
    assert client.requests_made == 0
    assert not sandbox.requests_log(path_contains="/oauth/token")


def test_a_token_lacking_the_scope_is_refused_before_calling_the_api(
    readonly_auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    # The row claims a scope the Auth Tenant never granted: the minted token tells the truth.
    readonly_auth_tenant.clients.update(
        scopes="read:tenants read:members read:team_activity delete:tenants"
    )
    with teams_client(readonly_auth_tenant) as client, pytest.raises(TeamsApiForbidden) as info:
        client.delete_tenant("538c9e21-e3d5-4ad6-b3d0-352c62369fb0")
    assert info.value.scope == "delete:tenants"
    assert "delete:tenants" in info.value.message
    assert client.requests_made == 0
