"""The activity archive's hash chain: what of an event is hashed, appending a batch, verifying.

One chain per Auth Tenant, in the order events were stored (apps/core/hashchain.py has the
canonical form). The hashed content is the event as the Teams API sent it plus the Auth
Tenant's id (CONTENT_FIELDS); `stored_at`, local bookkeeping, is not part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.activity.models import ActivityChainHead, ActivityEvent, ActivityPrune
from apps.authtenants.models import AuthTenant
from apps.core import hashchain
from apps.core.hashchain import Break, ChainReport, ChainRow, Position, Verification

if TYPE_CHECKING:
    from apps.teamsapi.types import ActivityLogEntry

# The model fields hashed, in the order of the canonical form's array.
CONTENT_FIELDS = (
    "auth_tenant_id",
    "external_id",
    "type",
    "status",
    "current_event",
    "actor_id",
    "actor_type",
    "actor_name",
    "actor_picture",
    "actor_is_member",
    "actor_team_role",
    "ip",
    "hostname",
    "user_agent",
    "version",
    "created_at",
    "details",
)
_CREATED_AT = CONTENT_FIELDS.index("created_at")


def entry_content(auth_tenant_id: int, entry: ActivityLogEntry) -> tuple[Any, ...]:
    """What is hashed for an entry about to be stored: the values its row will hold, in
    CONTENT_FIELDS order."""
    actor = entry.actor
    return (
        auth_tenant_id,
        entry.id,
        entry.type,
        entry.status,
        entry.current_event,
        actor.id,
        actor.type,
        actor.name,
        actor.picture,
        actor.is_member,
        actor.team_role,
        entry.ip,
        entry.hostname,
        entry.user_agent,
        entry.version,
        entry.created_at,
        entry.details,
    )


class ChainForked(RuntimeError):
    """Rows meant for the chain were not all inserted: another writer took their ids or places."""

    def __init__(self, auth_tenant: AuthTenant) -> None:
        super().__init__(
            f"The activity chain of Auth Tenant {auth_tenant.pk} was written by another writer "
            "during this batch; the batch was rolled back."
        )


Linked = list[tuple["ActivityLogEntry", tuple[int, str]]]  # entry, (chain_seq, chain_hash)


class _SomeStored(Exception):
    """The optimistic insert found ids stored already; its savepoint is rolled back."""


def insert_linked(
    auth_tenant: AuthTenant, entries: Sequence[ActivityLogEntry], insert: Callable[[Linked], int]
) -> int:
    """Link the entries not stored yet into the Auth Tenant's chain and `insert` them (it
    returns how many rows it added); returns how many were new.

    Call inside a transaction: the chain head stays locked until it ends, so no other writer
    links to the same head. Optimistic: the batch is linked and inserted whole in a savepoint,
    and only when some ids were stored already (a redelivered page, the inclusive `since`
    boundary) is it rolled back and linked again without them; on a back-fill that lookup
    would cost more than the hashing.
    """
    head = ActivityChainHead.locked(auth_tenant=auth_tenant)
    first: dict[str, ActivityLogEntry] = {}
    for entry in entries:
        first.setdefault(entry.id, entry)
    unique = list(first.values())
    try:
        with transaction.atomic():
            return _append(head, auth_tenant, unique, insert, _SomeStored())
    except _SomeStored:
        pass
    ids = [entry.id for entry in unique]
    stored = set(
        ActivityEvent.objects.filter(auth_tenant=auth_tenant, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    new = [entry for entry in unique if entry.id not in stored]
    return _append(head, auth_tenant, new, insert, ChainForked(auth_tenant))


def _append(
    head: ActivityChainHead,
    auth_tenant: AuthTenant,
    entries: list[ActivityLogEntry],
    insert: Callable[[Linked], int],
    short: Exception,
) -> int:
    """Insert the entries after the head and move it; raise `short` if any row was refused."""
    positions = hashchain.extend(head.position, (entry_content(auth_tenant.pk, e) for e in entries))
    linked = [(e, (p.seq, p.hash)) for e, p in zip(entries, positions, strict=True)]
    if linked and insert(linked) != len(linked):
        raise short
    head.advance(positions)
    return len(linked)


def chain_head(auth_tenant: AuthTenant) -> str:
    """The hash of the Auth Tenant's last stored event (GENESIS before the first), for exports."""
    head = ActivityChainHead.objects.filter(auth_tenant=auth_tenant).first()
    return head.hash if head is not None else hashchain.GENESIS


def chain_start(auth_tenant_id: int) -> Position:
    """Where the kept events begin: after the last pruned event, or at the chain's start."""
    prune = (
        ActivityPrune.objects.filter(auth_tenant_id=auth_tenant_id).order_by("-last_seq").first()
    )
    return Position(prune.last_seq, prune.last_hash) if prune is not None else Position()


def activity_verify(*, auth_tenant_id: int) -> Verification:
    """Recompute the Auth Tenant's activity chain and report its first break, if any."""
    head = ActivityChainHead.objects.filter(auth_tenant_id=auth_tenant_id).first()
    rows = hashchain.stored_rows(
        ActivityEvent.objects.filter(auth_tenant_id=auth_tenant_id), CONTENT_FIELDS
    )
    end = head.position if head is not None else Position()
    return hashchain.verify(rows, start=chain_start(auth_tenant_id), end=end)


class ArchiveBroken(Exception):
    """The events about to be pruned do not verify: deleting them would erase the evidence."""

    def __init__(self, auth_tenant: AuthTenant, first_break: Break) -> None:
        super().__init__(
            f"The activity archive of {auth_tenant.name} does not verify, so nothing was pruned. "
            + first_break.describe()
        )


@dataclass(frozen=True)
class Pruned:
    """A run of events deleted from the start of a chain, and the link the rest hangs from."""

    count: int
    first_seq: int
    end: Position
    oldest_created_at: datetime
    newest_created_at: datetime


def prune_start(auth_tenant: AuthTenant, *, older_than: datetime, limit: int) -> Pruned | None:
    """Delete up to `limit` events from the start of the chain while they are older than
    `older_than`; None when the first kept event is recent enough.

    Only a prefix of the chain can go, or what is kept would no longer link up. Events are
    chained as stored and the sync back-fills, so an old event stored after a recent one waits
    until that one is old enough too. The prefix is verified first, and the chain head stays
    locked until the caller's transaction ends.
    """
    ActivityChainHead.locked(auth_tenant=auth_tenant)
    start = chain_start(auth_tenant.pk)
    rows = (
        ActivityEvent.objects.filter(auth_tenant=auth_tenant, chain_seq__gt=start.seq)
        .order_by("chain_seq")
        .values_list("pk", "chain_seq", "chain_hash", *CONTENT_FIELDS)[:limit]
    )
    chain_rows = [ChainRow(pk, seq, stored, content) for pk, seq, stored, *content in rows]
    prefix = list(takewhile(lambda row: row.content[_CREATED_AT] < older_than, chain_rows))
    if not prefix:
        return None
    end = Position(prefix[-1].seq or 0, prefix[-1].hash)
    check = hashchain.verify(prefix, start=start, end=end)
    if check.first_break is not None:
        raise ArchiveBroken(auth_tenant, check.first_break)
    ActivityEvent.objects.filter(
        auth_tenant=auth_tenant, chain_seq__gt=start.seq, chain_seq__lte=end.seq
    ).delete()
    dates = [row.content[_CREATED_AT] for row in prefix]
    return Pruned(len(prefix), start.seq + 1, end, min(dates), max(dates))


def chain_reports(auth_tenant_id: int | None) -> list[ChainReport]:
    """The activity chain of one Auth Tenant, or of every Auth Tenant (None)."""
    tenants = AuthTenant.objects.order_by("name")
    if auth_tenant_id is not None:
        tenants = tenants.filter(pk=auth_tenant_id)
    return [
        ChainReport(f"Activity log of {t.name}", activity_verify(auth_tenant_id=t.pk))
        for t in tenants
    ]
