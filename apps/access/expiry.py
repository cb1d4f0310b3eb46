"""When time-boxed access ends: the rule for an end time, and the rows that remember it.

Services call these inside the transaction that records their action, like the mirror's
follow-ups, so an access and its end change together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format

from apps.access.models import AccessExpiry
from apps.core.capabilities import Role

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

UNTIL_MIN = timedelta(minutes=1)  # the scheduled revoke runs every 30 s: an end must be ahead
UNTIL_MAX = timedelta(days=366)  # time-boxed access is for weeks or months, not for years
SCHEDULED_ACTOR_NAME = "Teams Admin (scheduled)"


class ScheduledActor:
    """Who the scheduled revoke acts as: an owner's rights, no user row, named in the audit.

    `_teamsadmin_role` is where `capabilities.role_of` reads a user's role, so services check
    this actor like any other.
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    _teamsadmin_role = Role.OWNER

    def get_username(self) -> str:
        return SCHEDULED_ACTOR_NAME

    def __str__(self) -> str:
        return SCHEDULED_ACTOR_NAME


SCHEDULED_ACTOR = ScheduledActor()


def until_errors(until: datetime, *, now: datetime | None = None) -> list[str]:
    """What is wrong with `until` as an access end (empty when it is fine)."""
    now = now or timezone.now()
    if until < now + UNTIL_MIN:
        return ["Pick an end at least a minute from now."]
    if until > now + UNTIL_MAX:
        latest = date_format(timezone.localtime(now + UNTIL_MAX), "DATE_FORMAT")
        return [f"Pick an end within a year (by {latest}); longer access is simply permanent."]
    return []


def expiry_set(
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_ids: Iterable[str],
    until: datetime | None,
    *,
    actor: Any,
) -> None:
    """Remember that the member's access to each tenant ends at `until` (None: it does not)."""
    tenant_ids = list(tenant_ids)
    if until is None:
        expiry_clear(auth_tenant, member_id, tenant_ids)
        return
    name = actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    for tenant_id in tenant_ids:
        AccessExpiry.objects.update_or_create(
            auth_tenant=auth_tenant,
            member_id=member_id,
            tenant_id=tenant_id,
            defaults={
                "ends_at": until,
                "set_by_username": name,
                "set_at": timezone.now(),
                "attempts": 0,
                "retry_at": None,
                "last_error": "",
            },
        )


def expiry_clear(auth_tenant: AuthTenant, member_id: str, tenant_ids: Iterable[str]) -> int:
    """Forget the end of the member's access to each tenant (removed, or made permanent)."""
    deleted, _ = AccessExpiry.objects.filter(
        auth_tenant=auth_tenant, member_id=member_id, tenant_id__in=list(tenant_ids)
    ).delete()
    return deleted


def expiry_get(auth_tenant: AuthTenant, member_id: str, tenant_id: str) -> AccessExpiry | None:
    """The access's end, or None; ids no row can hold (NUL, which PostgreSQL refuses even in a
    query) match none."""
    if "\x00" in member_id or "\x00" in tenant_id:
        return None
    return AccessExpiry.objects.filter(
        auth_tenant=auth_tenant, member_id=member_id, tenant_id=tenant_id
    ).first()
