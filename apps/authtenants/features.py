"""Which Teams API scope each dashboard feature needs: the one map behind the feature coverage table."""

from __future__ import annotations

from dataclasses import dataclass

from apps.teamsapi.contract import OPERATIONS, Operation, OperationName, Scope


@dataclass(frozen=True)
class Feature:
    """A dashboard feature and the Teams API operation it calls, whose scope it needs (§4)."""

    label: str
    operation_name: OperationName

    @property
    def operation(self) -> Operation:
        return OPERATIONS[self.operation_name]

    @property
    def scope(self) -> Scope:
        return self.operation.scope


_O = OperationName
FEATURES: tuple[Feature, ...] = (
    Feature("Browse tenants", _O.LIST_TENANTS),
    Feature("Browse members", _O.LIST_MEMBERS),
    Feature("Invite members", _O.INVITE_MEMBER),
    Feature("Change roles", _O.UPDATE_MEMBER),
    Feature("Remove members", _O.REMOVE_MEMBER),
    Feature("Manage tenant access", _O.ADD_MEMBER_TENANTS),
    Feature("Create tenants", _O.CREATE_TENANT),
    Feature("Delete tenants", _O.DELETE_TENANT),
    Feature("Sync activity", _O.LIST_ACTIVITY),
)

KNOWN_SCOPES: tuple[str, ...] = tuple(scope.value for scope in Scope)

# Read scopes probed by "Test connection", each with the cheap call that proves it works.
READ_PROBES: tuple[tuple[Scope, str], ...] = (
    (Scope.READ_TENANTS, "list the first page of tenants"),
    (Scope.READ_MEMBERS, "list the first page of members"),
    (Scope.READ_TEAM_ACTIVITY, "read the first activity page"),
)
