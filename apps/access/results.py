"""What a tenant-access action did, tenant by tenant, and where its result page finds it again.

A bulk call succeeds for some tenants and fails for others (§5.1 (6-8)); the result keeps each
tenant's outcome in plain words. The result page is reached by a redirect after the POST (so a
reload does not resend), so the result waits in the user's session under a random key.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.http import HttpRequest

from apps.access.rules import AccessKind
from apps.teamsapi.types import BulkFailure, BulkResult

SESSION_KEY = "teamsadmin_access_results"
KEPT_RESULTS = 20  # the newest results a session keeps; older result pages say they expired


@dataclass(frozen=True)
class TenantOutcome:
    """One tenant of the action: done or not, and why not in plain words."""

    tenant_id: str
    tenant_name: str
    ok: bool
    reason: str = ""
    in_mirror: bool = True  # False for an id the mirror never held: no tenant page to link to


@dataclass(frozen=True)
class AccessResult:
    """Every tenant's outcome of one grant, change or revoke, over however many calls it took."""

    kind: AccessKind
    member_id: str
    member_label: str
    roles: tuple[str, ...]
    client_ids: tuple[str, ...]
    outcomes: tuple[TenantOutcome, ...]
    calls: int

    @property
    def succeeded(self) -> list[TenantOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[TenantOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def summary(self) -> str:
        """One sentence for the page's message, e.g. "Access granted on acme-prod for ada@…"."""
        done, failed = self.succeeded, self.failed
        if not failed:
            return f"{self.kind.done} on {_tenants(done)} for {self.member_label}."
        if not done:
            return (
                f"Nothing changed for {self.member_label}: {_tenants(failed)} failed (see below)."
            )
        return (
            f"{self.kind.done} on {_tenants(done)} for {self.member_label}; "
            f"{_tenants(failed)} failed (see below)."
        )

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AccessResult:
        return cls(
            kind=AccessKind(data["kind"]),
            member_id=str(data["member_id"]),
            member_label=str(data["member_label"]),
            roles=tuple(data["roles"]),
            client_ids=tuple(data["client_ids"]),
            outcomes=tuple(TenantOutcome(**outcome) for outcome in data["outcomes"]),
            calls=int(data["calls"]),
        )


def _tenants(outcomes: list[TenantOutcome]) -> str:
    """A few tenants by name ("acme-prod and acme-dev"), more as a count ("12 tenants")."""
    names = [o.tenant_name for o in outcomes]
    if len(names) > 3:
        return f"{len(names)} tenants"
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


TENANT_GONE = "This tenant is not in the team any more (it may have been deleted)."
NO_ACCESS = "The member has no access to this tenant (any more)."


def failure_reason(kind: AccessKind, failure: BulkFailure) -> str:
    """A bulk reply's failure item (§5.1 (6-8) failure items) in words a person can act on."""
    if failure.status == 409:
        return "The member already has access to this tenant; use “Change roles” instead."
    if failure.status == 404 and "tenant not found" in failure.title.lower():
        return TENANT_GONE
    if failure.status == 404 and kind is AccessKind.GRANT:
        return "Auth0 could not find this tenant in the team."
    if failure.status == 404:
        return NO_ACCESS
    return failure.title or f"Auth0 refused this tenant (status {failure.status})."


def batch_outcomes(
    kind: AccessKind, reply: BulkResult, batch: Iterable[str], names: Mapping[str, str]
) -> list[TenantOutcome]:
    """Each tenant of one call as the reply reports it; one it does not mention counts as failed."""
    succeeded = set(reply.succeeded_tenant_ids)
    failures = {failure.tenant_id: failure for failure in reply.failures}
    outcomes = []
    for tenant_id in batch:
        if tenant_id in failures:
            ok, reason = False, failure_reason(kind, failures[tenant_id])
        elif tenant_id in succeeded:
            ok, reason = True, ""
        else:
            ok, reason = (
                False,
                "Auth0's reply did not mention this tenant; check the member's page.",
            )
        outcomes.append(outcome(tenant_id, names, ok=ok, reason=reason))
    return outcomes


def outcome(tenant_id: str, names: Mapping[str, str], *, ok: bool, reason: str) -> TenantOutcome:
    """A tenant's outcome, named as the mirror names it (an unknown id stands for itself)."""
    name = names.get(tenant_id)
    return TenantOutcome(tenant_id, name or tenant_id, ok, reason, in_mirror=name is not None)


def new_key() -> str:
    """A fresh key for a result page, known before the action runs (replays are sent to it)."""
    return secrets.token_urlsafe(9)


def keep(request: HttpRequest, key: str, result: AccessResult) -> None:
    """Store the result in the session for its result page under `key`."""
    kept: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    kept[key] = result.as_data()
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_RESULTS:])


def recall(request: HttpRequest, *, member_id: str, key: str) -> AccessResult | None:
    """The kept result under `key` for this member; None when it expired or never existed."""
    data = (request.session.get(SESSION_KEY) or {}).get(key)
    if not isinstance(data, Mapping) or data.get("member_id") != member_id:
        return None
    return AccessResult.from_data(data)
