"""The mirror follows dashboard actions at once, keeping access periods answerable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.directory import follow
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.teamsapi.types import Tenant
from tests.fixtures.directory import Directory

pytestmark = pytest.mark.django_db


def _current(directory: Directory, member: DirectoryMember) -> dict[str, list[str]]:
    return {
        a.tenant.tenant_name: a.roles
        for a in DirectoryAccess.objects.filter(member=member, removed_at__isnull=True)
    }


def _new_tenant(tenant_id: str = "11111111-0000-4000-8000-000000000001") -> Tenant:
    return Tenant(
        tenant_id=tenant_id,
        tenant_name="acme-new",
        environment="US-3",
        environment_tag="staging",
        domain="acme-new.us.auth0.com",
        locality="us",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def test_tenant_added_mirrors_the_created_tenant(directory: Directory) -> None:
    row = follow.tenant_added(directory.auth_tenant, _new_tenant())
    assert (row.tenant_name, row.domain, row.removed_at) == (
        "acme-new",
        "acme-new.us.auth0.com",
        None,
    )
    assert row.first_seen_at is not None


def test_tenant_added_revives_a_removed_row(directory: Directory) -> None:
    row = follow.tenant_added(directory.auth_tenant, _new_tenant(directory.gone.tenant_id))
    assert row.pk == directory.gone.pk and row.removed_at is None


def test_tenant_removed_ends_the_tenant_and_everyones_access(directory: Directory) -> None:
    assert follow.tenant_removed(directory.auth_tenant, directory.dev.tenant_id) == 2
    directory.dev.refresh_from_db()
    assert directory.dev.removed_at is not None
    assert _current(directory, directory.ada) == {"acme-prod": ["owner"]}
    assert _current(directory, directory.bob) == {}


def test_member_role_changed(directory: Directory) -> None:
    assert follow.member_role_changed(directory.auth_tenant, directory.bob.member_id, "teams_owner")
    directory.bob.refresh_from_db()
    assert directory.bob.role == "teams_owner"
    assert follow.member_role_changed(directory.auth_tenant, "auth0|unknown", "teams_owner") == 0


def test_member_removed_ends_the_member_and_all_their_access(directory: Directory) -> None:
    assert follow.member_removed(directory.auth_tenant, directory.ada.member_id) == 2
    directory.ada.refresh_from_db()
    assert directory.ada.removed_at is not None
    assert _current(directory, directory.ada) == {}
    assert _current(directory, directory.bob) == {"acme-dev": ["viewer-config"]}


def test_access_granted_again_after_removal_starts_a_new_period(directory: Directory) -> None:
    bob, prod = directory.bob, directory.prod
    written = follow.access_granted(
        directory.auth_tenant,
        bob.member_id,
        [prod.tenant_id, directory.gone.tenant_id, "not-mirrored"],
        ["viewer-users", "editor-users", "viewer-users"],
    )
    assert written == 1  # removed and unknown tenants are left to the next sync
    periods = DirectoryAccess.objects.filter(member=bob, tenant=prod).order_by("first_seen_at")
    assert [p.removed_at is None for p in periods] == [False, True]
    assert periods.last().roles == ["editor-users", "viewer-users"]  # type: ignore[union-attr]


def test_access_changed_closes_the_period_and_opens_one_with_the_new_roles(
    directory: Directory,
) -> None:
    ada, dev = directory.ada, directory.dev
    before = DirectoryAccess.objects.get(member=ada, tenant=dev, removed_at__isnull=True)
    follow.access_changed(directory.auth_tenant, ada.member_id, [dev.tenant_id], ["viewer-config"])
    after = DirectoryAccess.objects.get(member=ada, tenant=dev, removed_at__isnull=True)
    before.refresh_from_db()
    assert after.pk != before.pk
    assert (before.roles, after.roles) == (["owner", "editor-users"], ["viewer-config"])
    assert before.removed_at == after.first_seen_at  # no gap and no overlap


def test_access_changed_to_the_same_roles_writes_nothing(directory: Directory) -> None:
    ada, dev = directory.ada, directory.dev
    written = follow.access_changed(
        directory.auth_tenant, ada.member_id, [dev.tenant_id], ["editor-users", "owner"]
    )
    assert written == 0
    assert DirectoryAccess.objects.filter(member=ada, tenant=dev).count() == 1


def test_access_revoked_ends_only_the_named_tenants(directory: Directory) -> None:
    ada = directory.ada
    ended = follow.access_revoked(directory.auth_tenant, ada.member_id, [directory.prod.tenant_id])
    assert ended == 1
    assert _current(directory, ada) == {"acme-dev": ["owner", "editor-users"]}


def test_unknown_member_changes_nothing(directory: Directory) -> None:
    assert (
        follow.access_granted(
            directory.auth_tenant, "auth0|x", [directory.prod.tenant_id], ["owner"]
        )
        == 0
    )
    assert follow.member_removed(directory.auth_tenant, "auth0|x") == 0
    assert DirectoryTenant.objects.filter(removed_at__isnull=True).count() == 3
