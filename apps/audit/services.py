"""Record dashboard actions: the entry commits with the action's local effects, failures too.

Pattern for a page-app service (the API call stays outside any transaction, because SQLite takes
its write lock when a transaction begins):

    with audited(actor=actor, auth_tenant=auth_tenant, action=AuditAction.TENANT_DELETE,
                 target_type="tenant", target_id=tenant_id, request=request) as trail:
        client.delete_tenant(tenant_id)        # TeamsApiError/ServiceError: a failure entry, re-raised
        with trail.atomic():                   # local effects and the success entry commit together
            follow.tenant_removed(auth_tenant, tenant_id)

`audited` must not run inside an outer transaction.atomic(): a failure entry written inside it
would roll back with the caller's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.audit import chain
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.core.errors import ServiceError
from apps.core.requestid import request_id_of
from apps.teamsapi.errors import TeamsApiError
from apps.teamsapi.types import BulkResult

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    from apps.authtenants.models import AuthTenant

    Actor = AbstractBaseUser | AnonymousUser | None

# A key containing any of these is dropped with its whole value (management client credentials
# arrive as {"management_client": {"client_id", "client_secret"}}).
SECRET_MARKERS = ("secret", "password", "passwd", "token", "credential", "management_client")
MESSAGE_MAX = 2000


def _looks_secret(key: object) -> bool:
    name = str(key).lower().replace("-", "_")
    return any(marker in name for marker in SECRET_MARKERS)


def scrub(value: Any) -> Any:
    """`value` with every mapping key that looks secret removed, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items() if not _looks_secret(k)}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(item) for item in value]
    return value


def audit_record(
    *,
    actor: Actor,
    auth_tenant: AuthTenant | None,
    action: AuditAction,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    parameters: Mapping[str, Any] | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    message: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one dashboard-action entry; call it inside the transaction of the local effects."""
    signed_in = actor is not None and actor.is_authenticated
    entry = AuditEntry(
        actor_id=actor.pk if signed_in else None,  # type: ignore[union-attr]
        actor_username=actor.get_username() if signed_in else "",  # type: ignore[union-attr]
        auth_tenant=auth_tenant,
        auth_tenant_name=auth_tenant.name if auth_tenant is not None else "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:320],
        parameters=scrub(parameters or {}),
        outcome=outcome,
        message=message[:MESSAGE_MAX],
        request_id=request_id_of(request),
    )
    with transaction.atomic():
        chain.link(entry)
        entry.save(force_insert=True)
    return entry


@dataclass
class AuditTrail:
    """The entry an `audited` block will write; the block may fill in what it learns on the way."""

    actor: Actor
    auth_tenant: AuthTenant | None
    action: AuditAction
    target_type: str = ""
    target_id: str = ""
    target_label: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    outcome: AuditOutcome = AuditOutcome.SUCCESS
    message: str = ""
    request: HttpRequest | None = None
    entry: AuditEntry | None = None

    def partial(self, message: str) -> None:
        """Mark the action as partly done (a bulk call where some tenants failed)."""
        self.outcome, self.message = AuditOutcome.PARTIAL, message

    def bulk(self, results: Iterable[BulkResult]) -> None:
        """Set the outcome from every batch's bulk reply: partial or failure when tenants failed."""
        results = list(results)
        done = sum(r.success_count for r in results)
        total = sum(r.total_count for r in results)
        failed = [f"{f.tenant_id} ({f.title or f.status})" for r in results for f in r.failures]
        if not failed:
            return
        self.outcome = AuditOutcome.PARTIAL if done else AuditOutcome.FAILURE
        self.message = f"{done} of {total} tenants done; failed: {', '.join(failed)}."

    def record(
        self, *, outcome: AuditOutcome | None = None, message: str | None = None
    ) -> AuditEntry:
        """Write the entry now (inside the caller's transaction); later calls return the same entry."""
        if self.entry is None:
            self.entry = audit_record(
                actor=self.actor,
                auth_tenant=self.auth_tenant,
                action=self.action,
                target_type=self.target_type,
                target_id=self.target_id,
                target_label=self.target_label,
                parameters=self.parameters,
                outcome=outcome or self.outcome,
                message=self.message if message is None else message,
                request=self.request,
            )
        return self.entry

    @contextmanager
    def atomic(self) -> Iterator[AuditTrail]:
        """A transaction for the local effects that also writes the entry as it closes."""
        with transaction.atomic():
            yield self
            self.record()


@contextmanager
def audited(
    *,
    actor: Actor,
    auth_tenant: AuthTenant | None,
    action: AuditAction,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    parameters: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Iterator[AuditTrail]:
    """Record the block as one dashboard action: success, partial, or the error's message.

    A TeamsApiError or ServiceError leaving the block is recorded as a failure (in its own
    write, after the block's transaction rolled back) and re-raised. A block that never called
    `trail.atomic()` or `trail.record()` gets its entry written when it ends.
    """
    trail = AuditTrail(
        actor=actor,
        auth_tenant=auth_tenant,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        parameters=dict(parameters or {}),
        request=request,
    )
    try:
        yield trail
    except (TeamsApiError, ServiceError) as error:
        if trail.entry is None:
            trail.record(outcome=AuditOutcome.FAILURE, message=error.message)
        raise
    trail.record()
