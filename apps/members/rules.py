"""The contract's invitation rules (CONTRACT.md §5.1 (2)), checked before anything is sent.

The form shows them beside the fields and enforces them; the service checks them again, so a
hand-made request cannot send what the API would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from apps.teamsapi.contract import BULK_TENANTS_MAX, TENANT_ROLE_LABELS, TenantRole

SPECIFIC_APPS = TenantRole.EDITOR_SPECIFIC_APPS
SPECIFIC_APPS_LABEL = TENANT_ROLE_LABELS[SPECIFIC_APPS]
# §6 ClientId: the spec bounds disagree (50 vs 64); the contract says enforce 5-50.
CLIENT_ID_PATTERN = re.compile(r"^[0-9a-zA-Z\-_@.~]{5,50}$")

TENANTS_HELP = (
    f"Optional. Up to {BULK_TENANTS_MAX} tenants (Ctrl- or ⌘-click to pick several); pick "
    "tenants and tenant roles together, each role is granted on every tenant picked."
)
TENANT_ROLES_HELP = "Required when tenants are picked; leave empty when none are."
CLIENT_IDS_HELP = (
    f"Only with {SPECIFIC_APPS_LABEL}, which needs at least one. One app (client) id per "
    "line or separated by commas; 5-50 letters, digits or - _ @ . ~"
)


def invite_problems(
    *, tenant_ids: Sequence[str], tenant_roles: Sequence[str], client_ids: Sequence[str]
) -> dict[str, list[str]]:
    """What breaks the contract's rules, by form field; empty when the invitation may go out."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if tenant_ids and not tenant_roles:
        add("tenant_roles", "Pick at least one tenant role for the tenants you picked.")
    if tenant_roles and not tenant_ids:
        add("tenants", "Pick the tenants these tenant roles apply to, or clear the roles.")
    if len(tenant_ids) > BULK_TENANTS_MAX:
        add(
            "tenants",
            f"At most {BULK_TENANTS_MAX} tenants per invitation ({len(tenant_ids)} picked); "
            "grant the others after the person has joined.",
        )
    specific = SPECIFIC_APPS in tenant_roles
    if specific and not client_ids:
        add("client_ids", f"{SPECIFIC_APPS_LABEL} needs at least one app (client) id.")
    if client_ids and not specific:
        add("client_ids", f"App ids apply only to {SPECIFIC_APPS_LABEL}; pick it or clear them.")
    bad = [c for c in client_ids if not CLIENT_ID_PATTERN.match(c)]
    if bad:
        add("client_ids", f"Not an app (client) id: {', '.join(bad[:3])}.")
    return problems
