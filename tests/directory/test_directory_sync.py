"""Directory mirror over real HTTP: snapshot contents, removed rows, access on a past date, strategy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.directory import history, selectors, services
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectorySnapshot
from apps.sandbox.models import SandboxMember, SandboxTenant, SandboxTenantRole
from apps.sync.models import SyncRun, SyncStatus
from apps.sync.services import SyncFailed, SyncRetryable
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _upstream_access() -> set[tuple[str, str]]:
    return set(SandboxTenantRole.objects.values_list("member__member_id", "tenant__tenant_id"))


def _local_access(auth_tenant: AuthTenant) -> set[tuple[str, str]]:
    return set(
        DirectoryAccess.objects.filter(
            auth_tenant=auth_tenant, removed_at__isnull=True
        ).values_list("member__member_id", "tenant__tenant_id")
    )


def test_directory_sync_mirrors_tenants_members_and_access(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    run = services.directory_sync(auth_tenant=auth_tenant)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert set(
        selectors.tenant_list(auth_tenant=auth_tenant).values_list("tenant_id", flat=True)
    ) == set(SandboxTenant.objects.values_list("tenant_id", flat=True))
    assert set(
        selectors.member_list(auth_tenant=auth_tenant).values_list("member_id", flat=True)
    ) == set(SandboxMember.objects.values_list("member_id", flat=True))
    assert _local_access(auth_tenant) == _upstream_access()
    snapshot = DirectorySnapshot.objects.get(auth_tenant=auth_tenant)
    assert snapshot.tenants == 8
    assert snapshot.members == 30
    assert snapshot.requests_made == run.requests_made > 0
    assert run.rows_created == 8 + 30 + len(_upstream_access())

    again = services.directory_sync(auth_tenant=auth_tenant)
    assert (again.rows_created, again.rows_updated, again.rows_removed) == (0, 0, 0)


def test_removed_member_is_marked_and_access_on_a_past_date_still_shows_it(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.directory_sync(auth_tenant=auth_tenant)
    member_with_access = SandboxTenantRole.objects.exclude(member__role="teams_owner").values_list(
        "member__member_id", flat=True
    )[0]
    before = timezone.now()
    with teams_client(auth_tenant) as client:
        client.remove_member(member_with_access)

    run = services.directory_sync(auth_tenant=auth_tenant)
    after = timezone.now() + timedelta(seconds=1)

    assert run.rows_removed >= 2  # the member and at least one access row
    member = DirectoryMember.objects.get(auth_tenant=auth_tenant, member_id=member_with_access)
    assert member.removed_at is not None
    assert not selectors.member_access(member=member).exists()
    then, now = (
        {
            a.member.member_id
            for a in history.access_during(
                auth_tenant=auth_tenant, window=history.Window.moment(at)
            )
        }
        for at in (before, after)
    )
    assert member_with_access in then
    assert member_with_access not in now
    assert _local_access(auth_tenant) == _upstream_access()


def test_a_failed_refresh_raises_with_its_recorded_run_and_keeps_the_mirror(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.directory_sync(auth_tenant=auth_tenant)
    mirrored = _local_access(auth_tenant)
    auth_tenant.clients.update(enabled=False)

    with pytest.raises(SyncFailed) as failed:
        services.directory_sync(auth_tenant=auth_tenant)

    assert not isinstance(failed.value, SyncRetryable)
    run = failed.value.run
    assert run == SyncRun.objects.filter(auth_tenant=auth_tenant).latest("pk")
    assert run.status == SyncStatus.FAILED
    assert "read:tenants" in run.error
    assert failed.value.__cause__ is not None
    assert DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).count() == 1
    assert _local_access(auth_tenant) == mirrored


def test_member_search_finds_by_email_fragment(sandbox: Sandbox, auth_tenant: AuthTenant) -> None:
    services.directory_sync(auth_tenant=auth_tenant)
    email = SandboxMember.objects.order_by("email").values_list("email", flat=True)[0]

    found = selectors.member_search(auth_tenant=auth_tenant, q=email[:6].upper())

    assert email in [m["email"] for m in found]


def test_per_member_strategy_gives_the_same_mirror(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    sandbox.seed(tenants=30, members=2, activity=0, seed=5)
    environments = len(set(SandboxTenant.objects.values_list("environment", flat=True)))
    members = SandboxMember.objects.count()
    assert members * environments < 30, (members, environments)
    assert services.access_strategy(tenants=30, members=members, environments=environments) == (
        DirectorySnapshot.Strategy.PER_MEMBER
    )

    services.directory_sync(auth_tenant=auth_tenant)

    snapshot = DirectorySnapshot.objects.get(auth_tenant=auth_tenant)
    assert snapshot.strategy == DirectorySnapshot.Strategy.PER_MEMBER
    assert _local_access(auth_tenant) == _upstream_access()


@pytest.mark.parametrize(
    ("tenants", "members", "environments", "expected"),
    [
        (8, 30, 3, DirectorySnapshot.Strategy.PER_TENANT),
        (12, 2, 4, DirectorySnapshot.Strategy.PER_MEMBER),
        (10, 2, 5, DirectorySnapshot.Strategy.PER_TENANT),  # equal cost: per tenant
        (0, 0, 0, DirectorySnapshot.Strategy.PER_TENANT),
    ],
)
def test_access_strategy_picks_the_cheaper_reads(
    tenants: int, members: int, environments: int, expected: DirectorySnapshot.Strategy
) -> None:
    assert (
        services.access_strategy(tenants=tenants, members=members, environments=environments)
        == expected
    )


def test_a_role_change_upstream_closes_the_period_and_opens_the_next(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.directory_sync(auth_tenant=auth_tenant)
    held = SandboxTenantRole.objects.exclude(role="viewer-config").select_related(
        "member", "tenant"
    )[0]
    member_id, tenant_id = held.member.member_id, held.tenant.tenant_id
    with teams_client(auth_tenant) as client:
        client.update_member_tenants(member_id, tenant_ids=[tenant_id], roles=["viewer-config"])

    run = services.directory_sync(auth_tenant=auth_tenant)

    assert (run.rows_created, run.rows_updated, run.rows_removed) == (0, 1, 0)
    taken_at = DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).latest().taken_at
    periods = list(
        DirectoryAccess.objects.filter(
            member__member_id=member_id, tenant__tenant_id=tenant_id
        ).order_by("first_seen_at")
    )
    assert [p.roles for p in periods][-1] == ["viewer-config"]
    assert len(periods) == 2
    assert (periods[0].removed_at, periods[1].first_seen_at) == (taken_at, taken_at)
    assert periods[1].removed_at is None
    assert _local_access(auth_tenant) == _upstream_access()
