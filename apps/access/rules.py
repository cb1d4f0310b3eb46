"""The contract's rules for member-tenant access calls (CONTRACT.md §5.1 (6-8), §6), in one place.

Forms show them before submit and check them on submit; services check them again, because a
service may be called without a form. Field names match the forms: tenants, roles, client_ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum

from apps.audit.models import AuditAction
from apps.teamsapi.contract import BULK_TENANTS_MAX, TENANT_ROLE_LABELS, TenantRole

SPECIFIC_APPS = TenantRole.EDITOR_SPECIFIC_APPS
SPECIFIC_APPS_LABEL = TENANT_ROLE_LABELS[SPECIFIC_APPS]
# §6 ClientId: the spec's bounds disagree (50 vs 64); §6 says enforce 5-50.
CLIENT_ID = re.compile(r"[0-9a-zA-Z\-_@.~]{5,50}")
CLIENT_ID_SEPARATORS = re.compile(r"[\s,;]+")
PATCH_WITH_CLIENTS_MAX = 1  # §5.1 (7): PATCH carrying client_ids takes at most one tenant


class AccessKind(StrEnum):
    """The three bulk calls on a member's tenant access, with their wording and audit action."""

    GRANT = "grant"
    CHANGE = "change"
    REVOKE = "revoke"

    @property
    def audit_action(self) -> AuditAction:
        return {
            AccessKind.GRANT: AuditAction.TENANT_ACCESS_GRANT,
            AccessKind.CHANGE: AuditAction.TENANT_ACCESS_CHANGE,
            AccessKind.REVOKE: AuditAction.TENANT_ACCESS_REVOKE,
        }[self]

    @property
    def done(self) -> str:
        """Past tense for result lines: "Access granted"."""
        return {
            AccessKind.GRANT: "Access granted",
            AccessKind.CHANGE: "Roles changed",
            AccessKind.REVOKE: "Access removed",
        }[self]

    @property
    def feature(self) -> str:
        """What the action does, for messages: "grant tenant access"."""
        return {
            AccessKind.GRANT: "grant tenant access",
            AccessKind.CHANGE: "change tenant roles",
            AccessKind.REVOKE: "remove tenant access",
        }[self]


# Shown on the forms before submit; the checks below enforce the same sentences.
BATCH_RULE = (
    f"Auth0 takes at most {BULK_TENANTS_MAX} tenants per call: more are sent in several calls, "
    "and each tenant's outcome is reported."
)
SPECIFIC_APPS_RULE = (
    f"“{SPECIFIC_APPS_LABEL}” needs the app (client) ids the member may edit, and app ids are "
    "accepted only with that role."
)
PATCH_CLIENTS_RULE = "With app ids, Auth0 changes roles on one tenant at a time."
SIGN_OUT_WARNING = (
    "Auth0 signs the member out of the tenant dashboard they are using when their roles on "
    "it change; they sign in again to get the new roles."
)


def parse_client_ids(text: str) -> list[str]:
    """App ids typed one per line or separated by commas or spaces, in order, without repeats."""
    return unique(part for part in CLIENT_ID_SEPARATORS.split(text) if part)


def unique(values: Iterable[str]) -> list[str]:
    """The values in first-seen order without repeats."""
    return list(dict.fromkeys(values))


def violations(
    kind: AccessKind,
    *,
    tenant_ids: Sequence[str],
    roles: Sequence[str] = (),
    client_ids: Sequence[str] = (),
) -> dict[str, list[str]]:
    """What the request breaks of the contract, per form field; empty when it may be sent."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not tenant_ids:
        add("tenants", "Pick at least one tenant.")
    if kind is AccessKind.REVOKE:
        return errors
    if not roles:
        add("roles", "Pick at least one tenant role.")
    unknown = [role for role in roles if role not in TENANT_ROLE_LABELS]
    if unknown:
        add("roles", f"Unknown tenant role: {', '.join(unknown)}.")
    if SPECIFIC_APPS in roles and not client_ids:
        add("client_ids", f"“{SPECIFIC_APPS_LABEL}” needs at least one app (client) id.")
    if client_ids and SPECIFIC_APPS not in roles:
        add("client_ids", f"App ids are accepted only with the role “{SPECIFIC_APPS_LABEL}”.")
    malformed = [cid for cid in client_ids if not CLIENT_ID.fullmatch(cid)]
    if malformed:
        add(
            "client_ids",
            f"Not an app (client) id: {', '.join(malformed)} (5-50 letters, digits or - _ @ . ~).",
        )
    if kind is AccessKind.CHANGE and client_ids and len(tenant_ids) > PATCH_WITH_CLIENTS_MAX:
        add(
            "tenants",
            f"{PATCH_CLIENTS_RULE} Pick one tenant, or leave out “{SPECIFIC_APPS_LABEL}”.",
        )
    return errors


def batches(tenant_ids: Sequence[str]) -> list[list[str]]:
    """The tenant ids in calls of at most BULK_TENANTS_MAX, in order."""
    return [
        list(tenant_ids[start : start + BULK_TENANTS_MAX])
        for start in range(0, len(tenant_ids), BULK_TENANTS_MAX)
    ]
