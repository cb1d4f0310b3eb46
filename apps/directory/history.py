"""Access history read from the mirror's periods: who had access at a moment or during a day, and
what changed between two moments (access added, removed, or its roles changed).

A period holds from `first_seen_at` (included) to `removed_at` (excluded), so at any instant a
member has at most one period per tenant, and a change dated t is already in effect at t. Dates
are those of the sync or dashboard action that first saw a change, not of the change upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from apps.directory.models import (
    DirectoryAccess,
    DirectoryMember,
    DirectorySnapshot,
    DirectoryTenant,
)

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

TICK = timedelta(microseconds=1)  # the databases' resolution: the shortest window there is


@dataclass(frozen=True)
class Window:
    """The instants from `start` (included) to `end` (excluded)."""

    start: datetime
    end: datetime

    @classmethod
    def moment(cls, at: datetime) -> Window:
        """Just the instant `at`."""
        return cls(at, at + TICK)

    @property
    def is_moment(self) -> bool:
        return self.end - self.start <= TICK

    @property
    def last(self) -> datetime:
        """The last instant inside the window."""
        return self.end - TICK


@dataclass(frozen=True)
class Scope:
    """Whose access: one tenant (by id), one person (by email, every member row with it), or both;
    empty means the whole team."""

    tenant_id: str = ""
    email: str = ""

    def lookups(self) -> Q:
        q = Q()
        if self.tenant_id:
            q &= Q(tenant__tenant_id=self.tenant_id)
        if self.email:
            q &= Q(member__email__iexact=self.email)
        return q


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    ROLES_CHANGED = "roles changed"


# Whose access to which tenant, as plain values: a long history is read without building
# three model instances a row, which costs far more than the query.
GRANT_FIELDS = (
    "member__member_id",
    "member__name",
    "member__email",
    "tenant__tenant_id",
    "tenant__tenant_name",
    "tenant__environment",
)


@dataclass(frozen=True)
class Grant:
    """A member's access to a tenant: who and where (the fields of GRANT_FIELDS, in order)."""

    member_id: str
    member_name: str
    member_email: str
    tenant_id: str
    tenant_name: str
    environment: str


@dataclass(frozen=True)
class AccessChange:
    """One change to a member's access to a tenant; roles are empty on the side without access."""

    at: datetime
    kind: ChangeKind
    grant: Grant
    old_roles: list[str]
    new_roles: list[str]


_Side = tuple[Grant, list[str]]  # one side of a change: the grant and its roles then


def _periods(auth_tenant: AuthTenant, scope: Scope) -> QuerySet[DirectoryAccess]:
    return (
        DirectoryAccess.objects.filter(auth_tenant=auth_tenant)
        .filter(scope.lookups())
        .select_related("member", "tenant")
    )


def access_during(
    *, auth_tenant: AuthTenant, window: Window, scope: Scope | None = None
) -> QuerySet[DirectoryAccess]:
    """The access periods that held at some instant of the window, by tenant, email, start.

    With a moment's window: who had access then, one row per member and tenant at most.
    """
    return (
        _periods(auth_tenant, scope or Scope())
        .filter(first_seen_at__lt=window.end)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=window.start))
        .order_by(
            "tenant__tenant_name",
            "tenant__tenant_id",
            "member__email",
            "member_id",
            "first_seen_at",
        )
    )


def access_changes(
    *, auth_tenant: AuthTenant, window: Window, scope: Scope | None = None
) -> list[AccessChange]:
    """Every change dated within the window, oldest first; one query.

    A period ending at the instant the next one for the same member and tenant begins is a
    change of roles; a beginning alone is access added, an end alone access removed.
    """
    inside = Q(first_seen_at__gte=window.start, first_seen_at__lt=window.end) | Q(
        removed_at__gte=window.start, removed_at__lt=window.end
    )
    began: dict[tuple[str, str, datetime], _Side] = {}
    ended: dict[tuple[str, str, datetime], _Side] = {}
    rows = _periods(auth_tenant, scope or Scope()).filter(inside)
    for *names, first_seen_at, removed_at, roles in rows.values_list(
        *GRANT_FIELDS, "first_seen_at", "removed_at", "roles"
    ).iterator(chunk_size=2000):
        grant = Grant(*names)
        if window.start <= first_seen_at < window.end:
            began[(grant.member_id, grant.tenant_id, first_seen_at)] = (grant, roles)
        if removed_at is not None and window.start <= removed_at < window.end:
            ended[(grant.member_id, grant.tenant_id, removed_at)] = (grant, roles)
    changes = [
        change
        for key in began.keys() | ended.keys()
        if (change := _change(key[2], began.get(key), ended.get(key))) is not None
    ]
    return sorted(
        changes,
        key=lambda c: (c.at, c.grant.tenant_name, c.grant.member_email, c.grant.member_id),
    )


def _change(at: datetime, began: _Side | None, ended: _Side | None) -> AccessChange | None:
    if began is not None and ended is not None:
        if began[1] == ended[1]:
            return None  # closed and reopened with the same roles: nothing a person would see
        return AccessChange(at, ChangeKind.ROLES_CHANGED, began[0], ended[1], began[1])
    if began is not None:
        return AccessChange(at, ChangeKind.ADDED, began[0], [], began[1])
    if ended is not None:
        return AccessChange(at, ChangeKind.REMOVED, ended[0], ended[1], [])
    return None


def history_tenants(*, auth_tenant: AuthTenant) -> QuerySet[DirectoryTenant]:
    """Every tenant the mirror has known, removed ones included, by name: what history covers."""
    return DirectoryTenant.objects.filter(auth_tenant=auth_tenant).order_by(
        "tenant_name", "tenant_id"
    )


def history_starts(*, auth_tenant: AuthTenant) -> datetime | None:
    """When the directory was first read: nothing before it is known."""
    first = DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).order_by("taken_at").first()
    return first.taken_at if first is not None else None


def history_knows_email(*, auth_tenant: AuthTenant, email: str) -> bool:
    """Whether anyone with this email (case-insensitive) was ever a member, as far as known."""
    return DirectoryMember.objects.filter(auth_tenant=auth_tenant, email__iexact=email).exists()
