"""Reads for the pages that show both sides: an event with the action behind it, an action
with the events it caused, and the names the directory mirror knows for the ids they name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.activity.event_page import events_around
from apps.activity.models import ActivityEvent
from apps.audit.models import AuditEntry
from apps.audit.selectors import AuditPage
from apps.directory import selectors as mirror
from apps.history.correlation import links_near, may_have_cause
from apps.teamsapi.contract import ActorType, Subject, detail_values

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant
    from apps.directory.models import DirectoryMember, DirectoryTenant


@dataclass(frozen=True)
class Named:
    """A member or tenant id, with what the mirror knows of it (`known` False: nothing).

    `name` is the member's name or the tenant's name, `extra` the member's email.
    """

    subject: Subject
    id: str
    known: bool = False
    name: str = ""
    extra: str = ""
    removed: bool = False


@dataclass(frozen=True)
class EventPage:
    """Everything the event page shows besides the event's own fields."""

    members: list[Named]
    tenants: list[Named]
    actor: Named | None  # the actor's member record, when the actor is a team member
    cause: AuditEntry | None  # the dashboard action that asked for it
    before: list[ActivityEvent]
    after: list[ActivityEvent]
    around: list[ActivityEvent]  # before, the event itself, after: oldest first


@dataclass(frozen=True)
class EntryPage:
    """Everything the dashboard action page shows besides the entry's own fields."""

    target: Named | None
    tenants: list[Named]
    events: list[ActivityEvent]


def event_page(*, event: ActivityEvent) -> EventPage:
    """The ids the event names, resolved through the mirror, its cause and its neighbours."""
    member_ids = detail_values(event.details, Subject.MEMBER)
    # §6: people act as users (members, or former members); applications as machines.
    actor_id = event.actor_id if event.actor_type == ActorType.USER else ""
    auth_tenant = event.auth_tenant
    members = _members(auth_tenant, [*member_ids, actor_id] if actor_id else member_ids)
    tenants = _tenants(auth_tenant, detail_values(event.details, Subject.TENANT))
    cause = None
    if may_have_cause(event):
        cause = links_near(auth_tenant=auth_tenant, moments=[event.created_at]).cause_of.get(
            event.pk
        )
    before, after = events_around(event=event)
    return EventPage(
        members=[members[i] for i in member_ids],
        tenants=list(tenants.values()),
        actor=members[actor_id] if actor_id and members[actor_id].known else None,
        cause=cause,
        before=before,
        after=after,
        around=[*before, event, *after],
    )


def entry_page(*, entry: AuditEntry) -> EntryPage:
    """The entry's target and tenants, resolved through the mirror, and the events it caused."""
    auth_tenant = entry.auth_tenant
    if auth_tenant is None:  # its Auth Tenant was deleted, with its activity and mirror
        return EntryPage(target=None, tenants=[], events=[])
    asked = entry.parameters.get("tenant_ids") if isinstance(entry.parameters, dict) else None
    tenant_ids = [t for t in asked if isinstance(t, str)] if isinstance(asked, list) else []
    target: Named | None = None
    if entry.target_type == "member" and entry.target_id:
        target = _members(auth_tenant, [entry.target_id])[entry.target_id]
    elif entry.target_type == "tenant" and entry.target_id:
        tenant_ids = [entry.target_id, *tenant_ids]
    tenants = _tenants(auth_tenant, tenant_ids)
    if entry.target_type == "tenant" and entry.target_id:
        target = tenants.pop(entry.target_id)
    links = links_near(auth_tenant=auth_tenant, moments=[entry.created_at])
    return EntryPage(target=target, tenants=list(tenants.values()), events=links.events_of(entry))


def audit_rows(
    *, auth_tenant: AuthTenant | None, page: AuditPage | None
) -> list[tuple[AuditEntry, list[ActivityEvent]]]:
    """Each listed entry with the events it caused (a few queries for the whole page)."""
    if page is None or not page.entries:
        return []
    if auth_tenant is None:  # every Auth Tenant listed: no log to pair them with
        return [(entry, []) for entry in page.entries]
    links = links_near(auth_tenant=auth_tenant, moments=[e.created_at for e in page.entries])
    return [(entry, links.events_of(entry)) for entry in page.entries]


def _members(auth_tenant: AuthTenant, ids: Iterable[str]) -> dict[str, Named]:
    ids = list(dict.fromkeys(ids))
    rows = mirror.members_by_id(auth_tenant=auth_tenant, member_ids=ids)
    return {member_id: _member(member_id, rows.get(member_id)) for member_id in ids}


def _member(member_id: str, row: DirectoryMember | None) -> Named:
    if row is None:
        return Named(Subject.MEMBER, member_id)
    removed = row.removed_at is not None
    return Named(Subject.MEMBER, member_id, True, row.name, row.email, removed)


def _tenants(auth_tenant: AuthTenant, ids: Iterable[str]) -> dict[str, Named]:
    ids = list(dict.fromkeys(ids))
    rows = mirror.tenants_by_id(auth_tenant=auth_tenant, tenant_ids=ids)
    return {tenant_id: _tenant(tenant_id, rows.get(tenant_id)) for tenant_id in ids}


def _tenant(tenant_id: str, row: DirectoryTenant | None) -> Named:
    if row is None:
        return Named(Subject.TENANT, tenant_id)
    return Named(Subject.TENANT, tenant_id, True, row.tenant_name, "", row.removed_at is not None)
