"""Tenant access services against the sandbox over real HTTP: batches, partial failures, the
mirror, audit entries, and every refusal in plain words."""

from __future__ import annotations

import json
import math
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.access import selectors, services
from apps.access.results import AccessResult
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.core.errors import ServiceError
from apps.teamsapi.contract import BULK_TENANTS_MAX, TenantRole
from tests.access.conftest import mirror, mirrored_roles, pick, upstream_roles
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

TWO_ROLES = [TenantRole.EDITOR_USERS.value, TenantRole.VIEWER_CONFIG.value]


def _grant(
    actor: User,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_ids: list[str],
    roles: list[str],
    *,
    client_ids: list[str] | None = None,
) -> AccessResult:
    return services.tenant_access_grant(
        actor=actor,
        auth_tenant=auth_tenant,
        member_id=member_id,
        tenant_ids=tenant_ids,
        roles=roles,
        client_ids=client_ids,
    )


def _puts(sandbox: Sandbox) -> int:
    return len(sandbox.requests_log(path_contains="/tenants", method="PUT"))


def test_grant_two_roles_on_one_tenant_reaches_auth0_the_mirror_and_the_audit(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    tenant = target.free[0]

    result = _grant(owner, synced, target.member_id, [tenant.tenant_id], TWO_ROLES)

    assert [(o.tenant_name, o.ok) for o in result.outcomes] == [(tenant.tenant_name, True)]
    assert result.calls == 1
    assert upstream_roles(target.member_id, tenant.tenant_id) == set(TWO_ROLES)
    assert mirrored_roles(target, tenant.tenant_id) == sorted(TWO_ROLES)
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_GRANT)
    assert entry.outcome == AuditOutcome.SUCCESS
    assert entry.target_id == target.member_id
    assert entry.parameters["tenant_ids"] == [tenant.tenant_id]
    assert entry.parameters["tenant_names"] == [tenant.tenant_name]
    assert sorted(entry.parameters["roles"]) == sorted(TWO_ROLES)
    recorded = json.dumps(entry.parameters) + entry.message
    assert sandbox.owner_client_secret not in recorded
    assert sandbox.owner_client_id not in recorded


def test_more_than_ten_tenants_go_in_batches_of_ten(
    sandbox: Sandbox, auth_tenant: AuthTenant, owner: User
) -> None:
    sandbox.seed(tenants=26, members=4, activity=0, seed=7)
    target = pick(mirror(auth_tenant), free=BULK_TENANTS_MAX + 2)
    tenant_ids = [t.tenant_id for t in target.free]
    sandbox.clear_requests_log()

    result = _grant(owner, auth_tenant, target.member_id, tenant_ids, [TenantRole.VIEWER_USERS])

    calls = math.ceil(len(tenant_ids) / BULK_TENANTS_MAX)
    assert calls >= 2
    assert _puts(sandbox) == result.calls == calls
    assert len(result.succeeded) == len(tenant_ids)
    assert all(mirrored_roles(target, tid) == ["viewer-users"] for tid in tenant_ids)
    entries = AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_GRANT)
    assert entries.count() == calls
    assert all(len(e.parameters["tenant_ids"]) <= BULK_TENANTS_MAX for e in entries)


def test_a_batch_refused_as_a_whole_after_a_good_one_reports_the_rest_as_not_done(
    sandbox: Sandbox, auth_tenant: AuthTenant, owner: User
) -> None:
    sandbox.seed(tenants=26, members=4, activity=0, seed=7)
    target = pick(mirror(auth_tenant), free=BULK_TENANTS_MAX)
    good = [t.tenant_id for t in target.free[:BULK_TENANTS_MAX]]

    result = _grant(owner, auth_tenant, target.member_id, [*good, "not-a-uuid"], ["viewer-users"])

    assert [o.tenant_id for o in result.succeeded] == good
    assert [o.tenant_id for o in result.failed] == ["not-a-uuid"]
    assert result.failed[0].reason.startswith("Not done: Auth0 rejected the request")
    assert all(mirrored_roles(target, tid) == ["viewer-users"] for tid in good)
    outcomes = AuditEntry.objects.order_by("pk").values_list("outcome", flat=True)
    assert list(outcomes) == [AuditOutcome.SUCCESS, AuditOutcome.FAILURE]


def test_partial_failure_reports_each_tenant_and_mirrors_only_the_successes(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=2)
    kept, deleted = target.free[0], target.free[1]
    assert sandbox.api("DELETE", f"/api/tenants/{deleted.tenant_id}").status_code == 204
    unknown = str(uuid.uuid4())

    result = _grant(
        owner, synced, target.member_id, [kept.tenant_id, deleted.tenant_id, unknown], TWO_ROLES
    )

    by_id = {o.tenant_id: o for o in result.outcomes}
    assert by_id[kept.tenant_id].ok
    assert not by_id[deleted.tenant_id].ok
    assert by_id[deleted.tenant_id].tenant_name == deleted.tenant_name  # named from the mirror
    assert "not in the team" in by_id[deleted.tenant_id].reason
    assert not by_id[unknown].ok and not by_id[unknown].in_mirror
    assert mirrored_roles(target, kept.tenant_id) == sorted(TWO_ROLES)
    assert mirrored_roles(target, deleted.tenant_id) is None
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_GRANT)
    assert entry.outcome == AuditOutcome.PARTIAL
    assert deleted.tenant_id in entry.message and unknown in entry.message
    assert result.summary.startswith(f"Access granted on {kept.tenant_name} for ")
    assert result.summary.endswith("failed (see below).")


def test_granting_a_tenant_already_held_fails_for_that_tenant_only(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=1, held=1)
    held = target.held[0].tenant

    result = _grant(owner, synced, target.member_id, [held.tenant_id], [TenantRole.VIEWER_USERS])

    assert not result.succeeded
    assert "already has access" in result.failed[0].reason
    assert AuditEntry.objects.get().outcome == AuditOutcome.FAILURE


def test_change_replaces_the_roles_upstream_and_in_the_mirror(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, held=1)
    tenant = target.held[0].tenant

    result = services.tenant_access_change(
        actor=owner,
        auth_tenant=synced,
        member_id=target.member_id,
        tenant_ids=[tenant.tenant_id],
        roles=[TenantRole.OWNER],
    )

    assert [o.ok for o in result.outcomes] == [True]
    assert upstream_roles(target.member_id, tenant.tenant_id) == {"owner"}
    assert mirrored_roles(target, tenant.tenant_id) == ["owner"]
    assert AuditEntry.objects.get().action == AuditAction.TENANT_ACCESS_CHANGE


def test_revoke_ends_the_access_upstream_and_in_the_mirror(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, held=1)
    tenant = target.held[0].tenant

    result = services.tenant_access_revoke(
        actor=owner, auth_tenant=synced, member_id=target.member_id, tenant_ids=[tenant.tenant_id]
    )

    assert [o.ok for o in result.outcomes] == [True]
    assert upstream_roles(target.member_id, tenant.tenant_id) == set()
    assert mirrored_roles(target, tenant.tenant_id) is None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome) == (AuditAction.TENANT_ACCESS_REVOKE, AuditOutcome.SUCCESS)


def test_unknown_member_is_a_plain_message_and_a_failure_entry(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    tenant = pick(synced).free[0]

    with pytest.raises(ServiceError, match="no team member with this id"):
        _grant(
            owner,
            synced,
            "auth0|ffffffffffffffffffffffff",
            [tenant.tenant_id],
            [TenantRole.VIEWER_USERS],
        )

    entry = AuditEntry.objects.get()
    assert entry.outcome == AuditOutcome.FAILURE


def test_without_update_members_the_action_is_gated_and_refused(
    sandbox: Sandbox, readonly_auth_tenant: AuthTenant, owner: User
) -> None:
    target = pick(mirror(readonly_auth_tenant))
    sandbox.clear_requests_log()

    gate = selectors.access_gate(auth_tenant=readonly_auth_tenant)
    assert gate is not None and gate.scope == "update:members"
    with pytest.raises(ServiceError, match="update:members"):
        _grant(
            owner,
            readonly_auth_tenant,
            target.member_id,
            [target.free[0].tenant_id],
            [TenantRole.VIEWER_USERS],
        )
    assert _puts(sandbox) == 0
    assert mirrored_roles(target, target.free[0].tenant_id) is None


def test_rate_limited_says_how_long_to_wait(
    sandbox: Sandbox, synced: AuthTenant, owner: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0  # this test is about the message, not the retry
    target = pick(synced)
    sandbox.set_faults(rate_limit_burst=1)

    with pytest.raises(ServiceError, match=r"Auth0 is rate-limiting; try again in \d+ s\."):
        _grant(
            owner, synced, target.member_id, [target.free[0].tenant_id], [TenantRole.VIEWER_USERS]
        )
    assert mirrored_roles(target, target.free[0].tenant_id) is None


@pytest.mark.parametrize(
    ("call", "roles", "client_ids", "tenants", "field"),
    [
        ("grant", ["editor-specific-apps"], [], 1, "client_ids"),
        ("grant", ["viewer-users"], ["abcdefgh123"], 1, "client_ids"),
        ("change", ["editor-specific-apps"], ["abcdefgh123"], 2, "tenants"),
        ("grant", [], [], 1, "roles"),
        ("grant", ["no-such-role"], [], 1, "roles"),
        ("grant", ["editor-specific-apps"], ["bad id!"], 1, "client_ids"),
    ],
)
def test_contract_rules_are_enforced_before_anything_is_sent(
    sandbox: Sandbox,
    synced: AuthTenant,
    owner: User,
    call: str,
    roles: list[str],
    client_ids: list[str],
    tenants: int,
    field: str,
) -> None:
    target = pick(synced, free=2, held=2)
    source = target.free if call == "grant" else [a.tenant for a in target.held]
    service = services.tenant_access_grant if call == "grant" else services.tenant_access_change
    sandbox.clear_requests_log()

    with pytest.raises(ServiceError) as refused:
        service(
            actor=owner,
            auth_tenant=synced,
            member_id=target.member_id,
            tenant_ids=[t.tenant_id for t in source[:tenants]],
            roles=roles,
            client_ids=client_ids,
        )

    assert field in refused.value.field_errors
    assert sandbox.requests_log(path_contains="/api/members") == []
    assert not AuditEntry.objects.exists()


def test_specific_apps_with_client_ids_is_granted(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    tenant = target.free[0]

    result = _grant(
        owner,
        synced,
        target.member_id,
        [tenant.tenant_id],
        [TenantRole.EDITOR_SPECIFIC_APPS],
        client_ids=["x3qNvwb7BmNH4NMbLHqaN72OKNjDVGVg"],
    )

    assert result.outcomes[0].ok
    assert upstream_roles(target.member_id, tenant.tenant_id) == {"editor-specific-apps"}


@pytest.mark.parametrize("persona", ["helpdesk", "auditor"])
def test_only_owners_may_manage_access(
    sandbox: Sandbox, synced: AuthTenant, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    target = pick(synced)
    sandbox.clear_requests_log()

    with pytest.raises(PermissionDenied):
        _grant(
            user, synced, target.member_id, [target.free[0].tenant_id], [TenantRole.VIEWER_USERS]
        )
    assert sandbox.requests_log(path_contains="/api/members") == []
