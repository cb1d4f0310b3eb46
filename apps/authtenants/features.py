"""Which Teams API scope each dashboard feature needs: the one map behind the feature coverage table."""

from __future__ import annotations

from dataclasses import dataclass

from apps.teamsapi.contract import Scope


@dataclass(frozen=True)
class Feature:
    label: str
    scope: Scope


# One scope per feature: the scope of the endpoint the feature calls (CONTRACT.md §4).
FEATURES: tuple[Feature, ...] = (
    Feature("Browse tenants", Scope.READ_TENANTS),
    Feature("Browse members", Scope.READ_MEMBERS),
    Feature("Invite members", Scope.CREATE_INVITATIONS),
    Feature("Change roles", Scope.UPDATE_MEMBERS),
    Feature("Remove members", Scope.DELETE_MEMBERS),
    Feature("Manage tenant access", Scope.UPDATE_MEMBERS),
    Feature("Create tenants", Scope.CREATE_TENANTS),
    Feature("Delete tenants", Scope.DELETE_TENANTS),
    Feature("Sync activity", Scope.READ_TEAM_ACTIVITY),
)

KNOWN_SCOPES: tuple[str, ...] = tuple(scope.value for scope in Scope)

# Read scopes probed by "Test connection", each with the cheap call that proves it works.
READ_PROBES: tuple[tuple[Scope, str], ...] = (
    (Scope.READ_TENANTS, "list the first page of tenants"),
    (Scope.READ_MEMBERS, "list the first page of members"),
    (Scope.READ_TEAM_ACTIVITY, "read the first activity page"),
)
