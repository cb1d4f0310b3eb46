"""Dashboard roles and the single map of what each role may do."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When


class Role(StrEnum):
    """A dashboard role; each is a Django group of the same name."""

    OWNER = "owner"
    HELPDESK = "helpdesk"
    AUDITOR = "auditor"


class Capability(StrEnum):
    VIEW_TENANTS = "view tenants"
    CREATE_TENANT = "create tenants"
    DELETE_TENANT = "delete tenants"
    VIEW_MEMBERS = "view members"
    INVITE_MEMBER = "invite members"
    CHANGE_MEMBER_ROLE = "change member roles"
    REMOVE_MEMBER = "remove members"
    MANAGE_TENANT_ACCESS = "manage tenant access"
    VIEW_ACCESS_HISTORY = "view access history"
    VIEW_ACTIVITY = "view activity"
    EXPORT_ACTIVITY = "export activity"
    VERIFY_ARCHIVE = "verify the archive"
    VIEW_AUDIT = "view dashboard actions"
    EXPORT_AUDIT = "export dashboard actions"
    VIEW_AUTH_TENANTS = "view auth tenants"
    MANAGE_AUTH_TENANTS = "manage auth tenants"
    VIEW_SYNC_STATUS = "view sync status"
    SYNC_NOW = "start a sync"
    CREATE_REVIEWS = "create access reviews"
    REVIEW_ACCESS = "review access"
    APPLY_REVIEWS = "apply access review decisions"


_READ = {
    Capability.VIEW_TENANTS,
    Capability.VIEW_MEMBERS,
    Capability.VIEW_ACCESS_HISTORY,
    Capability.VIEW_AUTH_TENANTS,
    Capability.VIEW_SYNC_STATUS,
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.OWNER: frozenset(Capability),
    Role.HELPDESK: frozenset(_READ | {Capability.INVITE_MEMBER}),
    Role.AUDITOR: frozenset(
        _READ
        | {
            Capability.VIEW_ACTIVITY,
            Capability.EXPORT_ACTIVITY,
            Capability.VIEW_AUDIT,
            Capability.EXPORT_AUDIT,
            Capability.VERIFY_ARCHIVE,
            Capability.REVIEW_ACCESS,
        }
    ),
}

# When a user holds several groups, the most powerful one counts.
_PRECEDENCE = (Role.OWNER, Role.HELPDESK, Role.AUDITOR)


def role_precedence() -> Case:
    """A group name's rank by _PRECEDENCE (0 wins), so a query can pick the role with the user."""
    return Case(
        *(When(name=role.value, then=Value(rank)) for rank, role in enumerate(_PRECEDENCE)),
        output_field=IntegerField(),
    )


def strongest_role(roles: Iterable[Role]) -> Role | None:
    """The most powerful of `roles` by _PRECEDENCE, or None when there are none."""
    held = set(roles)
    return next((role for role in _PRECEDENCE if role in held), None)


def remember_role(user: Any, group_name: str | None) -> None:
    """Keep the role read along with the user (the group picked by role_precedence), so
    role_of needs no query of its own."""
    user._teamsadmin_role = Role(group_name) if group_name else None


def role_of(user: Any) -> Role | None:
    """The user's dashboard role, or None for anonymous users and users without one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.OWNER
    cached: Role | None | str = getattr(user, "_teamsadmin_role", "")
    if cached != "":
        return cached  # type: ignore[return-value]
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in _PRECEDENCE if r.value in names), None)
    user._teamsadmin_role = role
    return role


def can(user: Any, capability: Capability) -> bool:
    role = role_of(user)
    return role is not None and capability in ROLE_CAPABILITIES[role]


def require(user: Any, capability: Capability) -> None:
    """Raise PermissionDenied unless the user holds the capability (services call this too)."""
    if not can(user, capability):
        raise PermissionDenied(f"Your role does not allow you to {capability.value}.")
