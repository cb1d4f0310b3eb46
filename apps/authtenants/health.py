"""Connection health per Auth Tenant: online, degraded or offline, from its mints and API calls.

- offline: the last token mint failed, or the last OFFLINE_AFTER calls failed (no answer,
  5xx, a body we cannot read, a token the API rejected);
- degraded: some call failed, or the API rate limited us, within DEGRADED_WINDOW;
- online otherwise. A 4xx answer (not found, conflict, invalid, missing scope) is the API
  working: it counts as a success here.

Each process keeps a tally per Auth Tenant, seeded from the row, and writes the row only when
the state or the last error changes, or at most every WRITE_INTERVAL seconds, so a busy sync
costs no write per call. Owners are emailed once when an Auth Tenant goes offline and once
when it recovers; a conditional UPDATE on `health_alerted` decides, so two processes seeing
the same change send one message.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.authtenants.models import AuthTenant, HealthState
from apps.core.notify import email_owners
from apps.teamsapi.connection import ClientSettings, ConnectionSettings
from apps.teamsapi.errors import (
    TeamsApiConflict,
    TeamsApiError,
    TeamsApiForbidden,
    TeamsApiNotFound,
    TeamsApiRateLimited,
    TeamsApiValidationError,
    TokenError,
)
from apps.teamsapi.tokens import AccessToken

logger = logging.getLogger(__name__)

OFFLINE_AFTER = 3  # failed calls in a row
DEGRADED_WINDOW = 300.0  # seconds a failure or a 429 keeps the state degraded
WRITE_INTERVAL = 5.0  # seconds between writes of an unchanged state

# Answers that show the API is up and says no to this request in particular.
_ANSWERED = (
    TeamsApiNotFound,
    TeamsApiConflict,
    TeamsApiValidationError,
    TeamsApiForbidden,
)


@dataclass
class _Tally:
    """What this process has seen of one Auth Tenant's connection; `state` and `saved_error`
    are what the row holds as far as this process knows."""

    state: str
    error: str
    saved_error: str
    error_at: datetime | None
    failures: int
    token_failed: bool = False
    strained_at: float | None = None  # monotonic time of the last failure or 429
    written_at: float = field(default_factory=time.monotonic)

    def derive(self, now: float) -> str:
        if self.token_failed or self.failures >= OFFLINE_AFTER:
            return HealthState.OFFLINE
        recent = self.strained_at is not None and now - self.strained_at < DEGRADED_WINDOW
        if self.failures or recent:
            return HealthState.DEGRADED
        return HealthState.ONLINE


_tallies: dict[int, _Tally] = {}
_lock = threading.Lock()


def forget_tallies() -> None:
    """Drop this process's tallies (tests; an Auth Tenant whose row was reset)."""
    with _lock:
        _tallies.clear()


def _tally(auth_tenant_id: int) -> _Tally | None:
    tally = _tallies.get(auth_tenant_id)
    if tally is not None:
        return tally
    row = (
        AuthTenant.objects.filter(pk=auth_tenant_id)
        .values("health_state", "health_error", "health_error_at", "health_failures")
        .first()
    )
    if row is None:
        return None
    tally = _Tally(
        state=row["health_state"],
        error=row["health_error"],
        saved_error=row["health_error"],
        error_at=row["health_error_at"],
        failures=row["health_failures"],
        written_at=0.0,
    )
    tally.token_failed = tally.state == HealthState.OFFLINE and tally.failures < OFFLINE_AFTER
    _tallies[auth_tenant_id] = tally
    return tally


def record(
    auth_tenant_id: int, *, ok: bool, token: bool = False, error: TeamsApiError | None = None
) -> None:
    """Count one outcome: a mint (`token`) or a call, ok or failed with `error`."""
    try:
        with _lock:
            tally = _tally(auth_tenant_id)
            if tally is None:
                return
            change = _count(auth_tenant_id, tally, ok=ok, token=token, error=error)
        if change is not None:
            _alert(auth_tenant_id, *change)
    except DatabaseError:
        # Health is advisory; a busy or changed database must not fail the call it describes.
        logger.warning("connection health not saved for auth_tenant=%s", auth_tenant_id)


def _count(
    auth_tenant_id: int, tally: _Tally, *, ok: bool, token: bool, error: TeamsApiError | None
) -> tuple[str, str] | None:
    """Apply one outcome and write the row when due; returns (old, new) when the state changed."""
    now = time.monotonic()
    if token:
        tally.token_failed = not ok
    elif ok or isinstance(error, _ANSWERED):
        tally.failures = 0
    elif isinstance(error, TeamsApiRateLimited):
        tally.strained_at = now
    else:
        tally.failures += 1
        tally.strained_at = now
    if error is not None and not isinstance(error, _ANSWERED):
        tally.error, tally.error_at = error.message[:500], timezone.now()
    state = tally.derive(now)
    changed = state != tally.state
    if not changed and tally.error == tally.saved_error and now - tally.written_at < WRITE_INTERVAL:
        return None
    if transaction.get_connection().in_atomic_block:
        # A write here would be undone with the caller's transaction when the failure this
        # records rolls it back; the next outcome outside a transaction writes it instead.
        return None
    stamp = timezone.now()
    fields: dict[str, object] = {
        "health_state": state,
        "health_error": tally.error,
        "health_error_at": tally.error_at,
        "health_failures": tally.failures,
        "health_checked_at": stamp,
    }
    if changed:
        fields["health_changed_at"] = stamp
    AuthTenant.objects.filter(pk=auth_tenant_id).update(**fields)
    old_state = tally.state
    tally.state, tally.saved_error, tally.written_at = state, tally.error, now
    return (old_state, state) if changed else None


def _alert(auth_tenant_id: int, old: str, new: str) -> None:
    """Email owners once per change into or out of offline."""
    if new == HealthState.OFFLINE:
        claimed = AuthTenant.objects.filter(pk=auth_tenant_id, health_alerted=False).update(
            health_alerted=True
        )
        if claimed:
            transaction.on_commit(lambda: _email(auth_tenant_id, offline=True), robust=True)
    elif old == HealthState.OFFLINE:
        released = AuthTenant.objects.filter(pk=auth_tenant_id, health_alerted=True).update(
            health_alerted=False
        )
        if released:
            transaction.on_commit(lambda: _email(auth_tenant_id, offline=False), robust=True)


def _email(auth_tenant_id: int, *, offline: bool) -> None:
    auth_tenant = AuthTenant.objects.filter(pk=auth_tenant_id).first()
    if auth_tenant is None:
        return
    page = reverse("authtenants:list") + f"#authtenant-{auth_tenant.pk}"
    if offline:
        subject = f"Auth Tenant {auth_tenant.name} is offline"
        body = (
            f"Teams Admin cannot reach the Teams API of team {auth_tenant.team_slug} through the "
            f"Auth Tenant {auth_tenant.name}.\n\n"
            f"Last error: {auth_tenant.health_error or 'none recorded'}\n\n"
            f"Syncs and pages that read this team fail until it recovers; you will get one more "
            f"message when it does. See {page} on the dashboard."
        )
    else:
        subject = f"Auth Tenant {auth_tenant.name} is back online"
        body = (
            f"Calls to the Teams API of team {auth_tenant.team_slug} through the Auth Tenant "
            f"{auth_tenant.name} work again (now {auth_tenant.get_health_state_display().lower()})."
        )
    email_owners(subject=subject, body=body)


def _auth_tenant_id(connection: ConnectionSettings) -> int | None:
    """The Auth Tenant row a connection was built from (None for one built by hand)."""
    return int(connection.ref) if connection.ref.isdigit() else None


class HealthRecorder:
    """Token and call observer that feeds one process's tallies (see the module docstring)."""

    def token_minted(
        self, connection: ConnectionSettings, client: ClientSettings, token: AccessToken
    ) -> None:
        if (pk := _auth_tenant_id(connection)) is not None:
            record(pk, ok=True, token=True)

    def token_failed(
        self, connection: ConnectionSettings, client: ClientSettings, error: TokenError
    ) -> None:
        if (pk := _auth_tenant_id(connection)) is not None:
            record(pk, ok=False, token=True, error=error)

    def call_finished(
        self, connection: ConnectionSettings, operation: str, error: TeamsApiError | None
    ) -> None:
        if isinstance(error, TokenError) and error.reason != "rejected_by_api":
            return  # a failed mint, already counted by token_failed
        if (pk := _auth_tenant_id(connection)) is not None:
            record(pk, ok=error is None, error=error)
