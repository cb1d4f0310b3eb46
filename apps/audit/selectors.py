"""Reads of dashboard actions: newest first, filtered, paged by id (keyset)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from apps.audit.models import AuditEntry

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first; `older_than` / `newer_than` are the ids to page on."""

    entries: list[AuditEntry]
    older_than: int | None
    newer_than: int | None


def audit_list(
    *,
    auth_tenant: AuthTenant | None = None,
    q: str = "",
    action: str = "",
    actor: str = "",
    before_id: int | None = None,
    after_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """Entries newest first: older than `before_id`, or the page just newer than `after_id`.

    `actor` matches the username snapshot case-insensitively; `q` any part of the target,
    the parameters (names and values) or the message; `auth_tenant` None means all, and an
    Auth Tenant also lists the entries made without one (sign-ins, sign-outs, lockouts).
    """
    entries = audit_export_list(auth_tenant=auth_tenant, action=action, actor=actor, q=q)
    if after_id is not None:
        rows = list(entries.filter(pk__gt=after_id).order_by("pk")[: limit + 1])
        more_newer, rows = len(rows) > limit, rows[:limit][::-1]
        return AuditPage(rows, rows[-1].pk if rows else None, rows[0].pk if more_newer else None)
    if before_id is not None:
        entries = entries.filter(pk__lt=before_id)
    rows = list(entries.order_by("-pk")[: limit + 1])
    more_older, rows = len(rows) > limit, rows[:limit]
    newer = rows[0].pk if before_id is not None and rows else None
    return AuditPage(rows, rows[-1].pk if more_older else None, newer)


def audit_export_list(
    *, auth_tenant: AuthTenant | None = None, action: str = "", actor: str = "", q: str = ""
) -> QuerySet[AuditEntry]:
    """Every entry the page's filters match, newest first, unpaged (what an export holds)."""
    entries = AuditEntry.objects.all()
    if auth_tenant is not None:
        # Sign-ins and other actions made without an Auth Tenant (chain 0) show for every team.
        entries = entries.filter(Q(auth_tenant=auth_tenant) | Q(chain_key=0))
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_username__iexact=actor.strip())
    if q:
        entries = entries.filter(
            Q(target_label__icontains=q)
            | Q(target_id__icontains=q)
            | Q(message__icontains=q)
            | Q(parameters__icontains=q)  # the JSON text: keys and values alike
        )
    return entries.order_by("-pk")


def audit_entry_get(*, pk: int) -> AuditEntry | None:
    """The entry with this id, or None for an entry of a disabled Auth Tenant (kept from view
    like the rest of its data); entries whose Auth Tenant was deleted stay readable."""
    return (
        AuditEntry.objects.select_related("auth_tenant")
        .filter(Q(auth_tenant__isnull=True) | Q(auth_tenant__enabled=True), pk=pk)
        .first()
    )
