"""Directory sync: refresh the local mirror of tenants, members and tenant access in one snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from apps.authtenants.connection import teams_client
from apps.core.notify import email_owners
from apps.directory import follow
from apps.directory.models import (
    DirectoryAccess,
    DirectoryMember,
    DirectorySnapshot,
    DirectoryTenant,
    Invitation,
)
from apps.sync.models import SyncKind, SyncRun
from apps.sync.services import run_progress, sync_run
from apps.teamsapi.client import TeamsClient

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant
    from apps.teamsapi.types import TeamMember, Tenant

Strategy = DirectorySnapshot.Strategy


def access_strategy(*, tenants: int, members: int, environments: int) -> Strategy:
    """Pick the cheaper way to read tenant access from the team's shape.

    Per tenant (`GET /api/tenants/{id}/members`, PAGE_SIZE_MAX a page) costs one request per
    tenant at best and `ceil(members / PAGE_SIZE_MAX)` per tenant at worst; per member
    (`GET /api/members/{id}/tenants/{env}`, not paged) costs exactly members x environments.
    Per member wins only when it is cheaper than per tenant's best case, so the choice never
    costs more than the alternative would.
    """
    per_tenant_best = tenants
    per_member = members * environments
    if per_member < per_tenant_best:
        return Strategy.PER_MEMBER
    return Strategy.PER_TENANT


@dataclass
class _Fetched:
    tenants: list[Tenant] = field(default_factory=list)
    members: list[TeamMember] = field(default_factory=list)
    access: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (member, tenant)
    strategy: Strategy = Strategy.PER_TENANT


def directory_sync(*, auth_tenant: AuthTenant) -> SyncRun:
    """Refresh the Auth Tenant's directory mirror; returns the succeeded SyncRun.

    Everything is read first and applied in one transaction, so readers see either the old or
    the new snapshot. Rows gone upstream get `removed_at` instead of being deleted. Raises
    SyncSkipped or SyncFailed (see `sync_run`) carrying the recorded run.
    """
    with (
        sync_run(auth_tenant=auth_tenant, kind=SyncKind.DIRECTORY, full=True) as run,
        teams_client(auth_tenant) as client,
    ):
        _refresh(run, client)
    return run


def _refresh(run: SyncRun, client: TeamsClient) -> None:
    fetched = _fetch(client, run)
    taken_at = timezone.now()
    with transaction.atomic():
        created, updated, removed = _apply(run.auth_tenant, fetched, taken_at)
        follow.invitations_accept(run.auth_tenant)  # invitees who now appear have joined
        joined = follow.withdrawn_joined(run.auth_tenant)
        if joined:
            transaction.on_commit(lambda: _tell_owners(run.auth_tenant, joined))
        DirectorySnapshot.objects.create(
            auth_tenant=run.auth_tenant,
            taken_at=taken_at,
            strategy=fetched.strategy,
            tenants=len(fetched.tenants),
            members=len(fetched.members),
            accesses=len(fetched.access),
            requests_made=client.requests_made,
        )
        run_progress(
            run,
            requests_made=client.requests_made,
            rows_created=created,
            rows_updated=updated,
            rows_removed=removed,
        )


def _tell_owners(auth_tenant: AuthTenant, joined: list[Invitation]) -> None:
    """Owners hear of people who joined on a withdrawn invitation: they may need removing."""
    emails = ", ".join(sorted({invitation.email for invitation in joined}))
    email_owners(
        subject=f"Joined after the invitation was withdrawn: {emails}",
        body=(
            f"These people joined the team of {auth_tenant.name} although their invitation "
            f"was withdrawn in Teams Admin: {emails}.\n\nAuth0 cannot revoke an invitation, so "
            "the emailed link stayed valid. Open Members in Teams Admin to review and remove "
            "them if they should not be in the team."
        ),
    )


def _fetch(client: TeamsClient, run: SyncRun) -> _Fetched:
    fetched = _Fetched()
    fetched.tenants = list(client.list_tenants())
    fetched.members = list(client.list_members())
    _progress(run, client)
    environments = sorted({t.environment for t in fetched.tenants if t.environment})
    fetched.strategy = access_strategy(
        tenants=len(fetched.tenants), members=len(fetched.members), environments=len(environments)
    )
    if fetched.strategy == Strategy.PER_MEMBER:
        for member in fetched.members:
            for environment in environments:
                result = client.list_member_tenants(member.id, environment)
                for item in result.tenants:
                    fetched.access[(member.id, item.tenant_id)] = _role_names(item.roles)
            _progress(run, client)
    else:
        for tenant in fetched.tenants:
            for tenant_member in client.list_tenant_members(tenant.tenant_id):
                fetched.access[(tenant_member.id, tenant.tenant_id)] = _role_names(
                    tenant_member.roles
                )
            _progress(run, client)
    return fetched


def _progress(run: SyncRun, client: TeamsClient) -> None:
    with transaction.atomic():
        run_progress(run, requests_made=client.requests_made)


def _role_names(roles: Iterable[Any]) -> list[str]:
    # Member-tenant items carry role objects ({role, client_ids}); tenant members carry names.
    return sorted(str(getattr(role, "role", role)) for role in roles)


# Text fields copied from the API's tenants and members to their mirror rows (None -> "").
TENANT_TEXT_FIELDS = ("tenant_name", "environment", "environment_tag", "domain", "locality")
MEMBER_TEXT_FIELDS = ("name", "given_name", "family_name", "nickname", "email", "role")


def _texts(item: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name) or "" for name in fields}


def _apply(auth_tenant: AuthTenant, fetched: _Fetched, at: datetime) -> tuple[int, int, int]:
    tenants, t_created, t_updated, t_removed = _mirror_rows(
        DirectoryTenant,
        auth_tenant=auth_tenant,
        key_field="tenant_id",
        incoming={
            item.tenant_id: {**_texts(item, TENANT_TEXT_FIELDS), "created_at": item.created_at}
            for item in fetched.tenants
        },
        at=at,
    )
    members, m_created, m_updated, m_removed = _mirror_rows(
        DirectoryMember,
        auth_tenant=auth_tenant,
        key_field="member_id",
        incoming={person.id: _texts(person, MEMBER_TEXT_FIELDS) for person in fetched.members},
        at=at,
    )
    a_created, a_updated, a_removed = _apply_access(auth_tenant, fetched, members, tenants, at)
    return (
        t_created + m_created + a_created,
        t_updated + m_updated + a_updated,
        t_removed + m_removed + a_removed,
    )


def _apply_access(
    auth_tenant: AuthTenant,
    fetched: _Fetched,
    members: dict[str, DirectoryMember],
    tenants: dict[str, DirectoryTenant],
    at: datetime,
) -> tuple[int, int, int]:
    """Open, close or reopen (new roles) access periods at `at`; created/updated/removed counts."""
    created = updated = 0
    current = {
        (a.member.member_id, a.tenant.tenant_id): a
        for a in DirectoryAccess.objects.filter(
            auth_tenant=auth_tenant, removed_at__isnull=True
        ).select_related("member", "tenant")
    }
    new_rows: list[DirectoryAccess] = []
    ended: list[int] = []  # periods closed at `at`: gone upstream, or reopened with new roles
    for key, roles in fetched.access.items():
        member_id, tenant_id = key
        if member_id not in members or tenant_id not in tenants:
            continue
        access = current.pop(key, None)
        if access is not None and sorted(access.roles) == roles:
            continue
        if access is not None:
            # A role change closes the period and opens the next, so past roles stay answerable.
            ended.append(access.pk)
            updated += 1
        else:
            created += 1
        new_rows.append(
            DirectoryAccess(
                auth_tenant=auth_tenant,
                member=members[member_id],
                tenant=tenants[tenant_id],
                roles=roles,
                first_seen_at=at,
            )
        )
    gone = [access.pk for access in current.values()]
    # Closed before the new periods are written: one current row per member and tenant.
    DirectoryAccess.objects.filter(pk__in=[*ended, *gone]).update(removed_at=at)
    DirectoryAccess.objects.bulk_create(new_rows)
    return created, updated, len(gone)


def _mirror_rows(
    model: Any,
    *,
    auth_tenant: AuthTenant,
    key_field: str,
    incoming: dict[str, dict[str, Any]],
    at: datetime,
) -> tuple[dict[str, Any], int, int, int]:
    """Create, update or revive each incoming row by key; mark rows gone upstream as removed.

    Returns every row by key (current and removed) and the created/updated/removed counts.
    """
    rows = {getattr(row, key_field): row for row in model.objects.filter(auth_tenant=auth_tenant)}
    created = updated = 0
    for key, values in incoming.items():
        row = rows.get(key)
        if row is None:
            rows[key] = model.objects.create(
                auth_tenant=auth_tenant, first_seen_at=at, **{key_field: key}, **values
            )
            created += 1
        elif _changed(row, values) or row.removed_at is not None:
            _assign(row, values)
            row.removed_at = None
            row.save(update_fields=[*values, "removed_at"])
            updated += 1
    removed = (
        model.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
        .exclude(**{f"{key_field}__in": list(incoming)})
        .update(removed_at=at)
    )
    return rows, created, updated, removed


def _changed(row: Any, values: dict[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def _assign(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)
