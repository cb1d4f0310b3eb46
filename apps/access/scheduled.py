"""The scheduled revoke: time-boxed access whose end has passed is removed through the same
revoke service as by hand, with the scheduled actor, until Auth0 confirms.

Each due row is claimed with a conditional UPDATE (a lease), so two beat or worker processes
never send the same revoke; a crashed worker's lease lapses and the next run takes the row. The
API call runs outside any transaction (see apps/audit/services.py). A failed revoke stays due
and is tried again after a backoff (a 429 after the wait Auth0 asks for).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from apps.access import selectors, services
from apps.access.expiry import SCHEDULED_ACTOR
from apps.access.models import AccessExpiry
from apps.access.results import NO_ACCESS, TENANT_GONE
from apps.audit.models import AuditAction, AuditOutcome
from apps.audit.services import audit_record
from apps.core.errors import ServiceError
from apps.directory import selectors as directory_selectors
from apps.teamsapi.errors import TeamsApiNotFound, TeamsApiRateLimited

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than a revoke's calls take, retries included
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
DUE_PER_RUN = 200  # a run's share; the rest waits 30 s for the next run


@dataclass
class ExpiryRun:
    """What one run did: tenants removed, found already removed, and left for a retry."""

    removed: list[str] = field(default_factory=list)
    already_gone: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, int]:
        return {
            "removed": len(self.removed),
            "already_gone": len(self.already_gone),
            "retrying": len(self.retrying),
        }


def access_expired_revoke(*, now: datetime | None = None) -> ExpiryRun:
    """Revoke every access whose end has passed at `now` (default: the current time)."""
    now = now or timezone.now()
    run = ExpiryRun()
    groups: dict[tuple[int, str], list[AccessExpiry]] = defaultdict(list)
    for row in _due(now)[:DUE_PER_RUN]:
        if _claim(row, now):
            groups[(row.auth_tenant_id, row.member_id)].append(row)
    for rows in groups.values():
        _revoke(rows, now, run)
    if groups:
        logger.info("time-boxed access ended", extra=run.as_data())
    return run


def _due(now: datetime) -> list[AccessExpiry]:
    return list(
        AccessExpiry.objects.filter(ends_at__lte=now, auth_tenant__enabled=True)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .select_related("auth_tenant")
    )


def _claim(row: AccessExpiry, now: datetime) -> bool:
    """Take the row for this run; False when another process took it (or its end moved) first."""
    row.claimed_until = now + LEASE
    claimed = (
        AccessExpiry.objects.filter(pk=row.pk, ends_at=row.ends_at)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=row.claimed_until)
    )
    return claimed == 1


def _revoke(rows: list[AccessExpiry], now: datetime, run: ExpiryRun) -> None:
    """One member's due tenants: those the mirror knows ended are done, the rest go to Auth0."""
    auth_tenant, member_id = rows[0].auth_tenant, rows[0].member_id
    ended = selectors.access_ended(
        auth_tenant=auth_tenant, member_id=member_id, tenant_ids=[row.tenant_id for row in rows]
    )
    gone = [row for row in rows if row.tenant_id in ended]
    live = [row for row in rows if row.tenant_id not in ended]
    removed: list[AccessExpiry] = []
    if live:
        try:
            result = services.tenant_access_revoke(
                actor=SCHEDULED_ACTOR,
                auth_tenant=auth_tenant,
                member_id=member_id,
                tenant_ids=[row.tenant_id for row in live],
            )
        except ServiceError as error:
            if isinstance(error.__cause__, TeamsApiNotFound):  # the member left the team
                gone += live
            else:
                _retry_later(live, now, error)
                run.retrying += [row.tenant_id for row in live]
        else:
            outcomes = {o.tenant_id: o for o in result.outcomes}
            for row in live:
                found = outcomes.get(row.tenant_id)
                if found is not None and found.ok:
                    removed.append(row)
                elif found is not None and found.reason in (NO_ACCESS, TENANT_GONE):
                    gone.append(row)
                else:
                    _retry_later([row], now, ServiceError(found.reason if found else "no reply"))
                    run.retrying.append(row.tenant_id)
    _done(auth_tenant, member_id, removed, gone)
    run.removed += [row.tenant_id for row in removed]
    run.already_gone += [row.tenant_id for row in gone]


def _done(
    auth_tenant: AuthTenant,
    member_id: str,
    removed: list[AccessExpiry],
    gone: list[AccessExpiry],
) -> None:
    """Forget the finished rows and record the end: what was removed and what was gone already."""
    if not removed and not gone:
        return
    names = selectors.tenant_names(
        auth_tenant=auth_tenant, tenant_ids=[r.tenant_id for r in removed + gone]
    )
    member = directory_selectors.member_get(auth_tenant=auth_tenant, member_id=member_id)
    parameters = {
        "removed": [names.get(r.tenant_id, r.tenant_id) for r in removed],
        "already_removed": [names.get(r.tenant_id, r.tenant_id) for r in gone],
        "tenant_ids": [r.tenant_id for r in removed + gone],
        "ended_at": [r.ends_at.isoformat() for r in removed + gone],
    }
    message = (
        "Access had already been removed elsewhere on: "
        + ", ".join(parameters["already_removed"])
        + "."
        if gone
        else ""
    )
    AccessExpiry.objects.filter(pk__in=[r.pk for r in removed + gone]).delete()
    audit_record(
        actor=SCHEDULED_ACTOR,  # type: ignore[arg-type]
        auth_tenant=auth_tenant,
        action=AuditAction.TENANT_ACCESS_EXPIRE,
        target_type="member",
        target_id=member_id,
        target_label=selectors.member_label(member, member_id),
        parameters=parameters,
        outcome=AuditOutcome.SUCCESS,
        message=message,
    )


def _retry_later(rows: list[AccessExpiry], now: datetime, error: ServiceError) -> None:
    """Keep the rows due, released, for a try after the backoff (or the wait a 429 asked)."""
    cause = error.__cause__
    for row in rows:
        wait = min(BACKOFF_FIRST * 2**row.attempts, BACKOFF_MAX)
        if isinstance(cause, TeamsApiRateLimited) and cause.retry_after:
            wait = timedelta(seconds=cause.retry_after)
        AccessExpiry.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1,
            retry_at=now + wait,
            claimed_until=None,
            last_error=error.message[:500],
        )
    logger.warning(
        "scheduled revoke failed; retrying later",
        extra={"auth_tenant": rows[0].auth_tenant_id, "tenants": len(rows)},
    )
