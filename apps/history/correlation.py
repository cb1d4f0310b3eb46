"""Both sides in one place: which Auth0 activity events each dashboard action caused.

An entry and an event are paired when they belong to the same Auth Tenant, the event is the
kind the action leaves (CAUSES), its details name the action's target, it was made by one of
the Auth Tenant's clients, and it was logged within the window around the entry. When several
pairs compete, the closest in time wins and each event and each (entry, tenant) goes once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Q

from apps.activity.models import ActivityEvent
from apps.audit.models import SIGN_IN_ACTIONS, AuditAction, AuditEntry
from apps.authtenants.models import AuthClient
from apps.teamsapi.contract import ActivityEventName, Subject, detail_values

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

# The entry is written once Auth0 has answered, so the event it caused is logged *before* it:
# at most one call with its retries earlier (by default 3 attempts of 5 s connect + 30 s read).
# A little after allows for Auth0's clock and ours disagreeing. Wider pairs more strangers.
EVENT_BEFORE_ENTRY = timedelta(seconds=120)
EVENT_AFTER_ENTRY = timedelta(seconds=30)
# Items this far apart can still compete for the same partner (one window each way).
_REACH = 2 * (EVENT_BEFORE_ENTRY + EVENT_AFTER_ENTRY)


@dataclass(frozen=True)
class Cause:
    """The event an action leaves in Auth0's log and what in its details names the target.

    `per_tenant`: the action names several tenants (`parameters["tenant_ids"]`) and Auth0 logs
    one event for each.
    """

    event: ActivityEventName
    target: Subject
    per_tenant: bool = False


# What each dashboard action leaves in the activity log (contract §6 "Activity content"
# [inferred]). An invitation names no member yet: its event is found by the email address.
CAUSES: dict[str, Cause] = {
    AuditAction.MEMBER_INVITE: Cause(ActivityEventName.MEMBER_INVITED, Subject.EMAIL),
    # A resend is a new invitation upstream; a withdrawal calls nothing, so it causes no event.
    AuditAction.INVITATION_RESEND: Cause(ActivityEventName.MEMBER_INVITED, Subject.EMAIL),
    AuditAction.MEMBER_ROLE_CHANGE: Cause(ActivityEventName.MEMBER_ROLE_UPDATED, Subject.MEMBER),
    AuditAction.MEMBER_REMOVE: Cause(ActivityEventName.MEMBER_DELETED, Subject.MEMBER),
    AuditAction.TENANT_CREATE: Cause(ActivityEventName.TENANT_CREATED, Subject.TENANT),
    AuditAction.TENANT_DELETE: Cause(ActivityEventName.TENANT_DELETED, Subject.TENANT),
    AuditAction.TENANT_ACCESS_GRANT: Cause(
        ActivityEventName.TENANT_MEMBER_ADDED, Subject.MEMBER, per_tenant=True
    ),
    AuditAction.TENANT_ACCESS_CHANGE: Cause(
        ActivityEventName.TENANT_MEMBER_UPDATED, Subject.MEMBER, per_tenant=True
    ),
    AuditAction.TENANT_ACCESS_REVOKE: Cause(
        ActivityEventName.TENANT_MEMBER_REMOVED, Subject.MEMBER, per_tenant=True
    ),
}

# Actions that read the dashboard's own copy, sign in to it, change only its own records (an
# access's end), or sum up calls recorded on their own (the scheduled revoke, copying access),
# and so leave nothing in Auth0's log themselves. Withdrawing an invitation only marks the
# ledger; an offboarding's removals are member removals of their own; a bulk invite's lines
# each have an invite entry paired with its event. Access reviews change only their own records;
# applying one makes tenant access changes that are recorded (and paired) one by one.
LOCAL_ACTIONS = frozenset(
    {
        AuditAction.EXPORT_ACTIVITY,
        AuditAction.EXPORT_AUDIT,
        AuditAction.TENANT_ACCESS_EXPIRE,
        AuditAction.TENANT_ACCESS_EXTEND,
        AuditAction.TENANT_ACCESS_PERMANENT,
        AuditAction.TENANT_ACCESS_COPY,
        AuditAction.INVITATION_WITHDRAW,
        AuditAction.OFFBOARD_START,
        AuditAction.OFFBOARD_RETRY,
        AuditAction.BULK_INVITE,
        AuditAction.REVIEW_CREATE,
        AuditAction.REVIEW_DECIDE,
        AuditAction.REVIEW_CLOSE,
        AuditAction.REVIEW_APPLY,
        AuditAction.REVIEW_STOP,
        AuditAction.REVIEW_REVIEWERS,
        AuditAction.EXPORT_REVIEW,
        *SIGN_IN_ACTIONS,
    }
)

_CAUSED_EVENTS = frozenset(cause.event for cause in CAUSES.values())


@dataclass
class Links:
    """The pairs found: the entry behind each event, the events each entry caused (oldest first)."""

    cause_of: dict[int, AuditEntry] = field(default_factory=dict)
    caused_by: dict[int, list[ActivityEvent]] = field(default_factory=dict)

    def events_of(self, entry: AuditEntry) -> list[ActivityEvent]:
        return self.caused_by.get(entry.pk, [])


def may_have_cause(event: ActivityEvent) -> bool:
    """Whether the event is of a kind some dashboard action leaves (else no query is needed)."""
    return event.current_event in _CAUSED_EVENTS


def links_near(*, auth_tenant: AuthTenant, moments: Iterable[datetime]) -> Links:
    """Pair the Auth Tenant's entries and events around `moments` (three queries at most).

    Everything within reach of a moment is read, so an item there gets the same partner on
    every page (barring a run of repeated actions on one target longer than the reach).
    """
    spans = _spans(moments)
    clients = list(
        AuthClient.objects.filter(auth_tenant=auth_tenant).values_list("client_id", flat=True)
    )
    if not spans or not clients:
        return Links()
    within = reduce(or_, (Q(created_at__range=span) for span in spans))
    entries = list(
        AuditEntry.objects.filter(
            within, auth_tenant=auth_tenant, action__in=list(CAUSES)
        ).order_by()
    )
    if not entries:
        return Links()
    events = list(
        ActivityEvent.objects.filter(
            within,
            auth_tenant=auth_tenant,
            current_event__in={CAUSES[e.action].event for e in entries},
            actor_id__in=clients,
        ).order_by()  # pair() orders what it needs
    )
    return pair(entries, events)


def _spans(moments: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """Each moment widened by the reach both ways, overlapping spans merged."""
    spans: list[tuple[datetime, datetime]] = []
    for moment in sorted(moments):
        start, end = moment - _REACH, moment + _REACH
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


class _Candidate(NamedTuple):
    gap: timedelta
    entry: AuditEntry
    event: ActivityEvent
    slot: str  # the tenant the event stands for, "" when the entry causes one event


def pair(entries: Iterable[AuditEntry], events: Iterable[ActivityEvent]) -> Links:
    """Pair entries and events of one Auth Tenant: every candidate pair, closest first."""
    by_name: dict[str, list[ActivityEvent]] = defaultdict(list)
    for event in events:
        by_name[event.current_event].append(event)
    candidates: list[_Candidate] = []
    for entry in entries:
        cause = CAUSES.get(entry.action)
        if cause is None:
            continue
        for event in by_name.get(cause.event, []):
            gap = event.created_at - entry.created_at
            if -EVENT_BEFORE_ENTRY <= gap <= EVENT_AFTER_ENTRY:
                candidates.extend(
                    _Candidate(abs(gap), entry, event, slot) for slot in _slots(cause, entry, event)
                )
    candidates.sort(key=lambda c: (c.gap, c.entry.pk, c.event.pk))
    links = Links()
    taken: set[tuple[int, str]] = set()
    for candidate in candidates:
        entry, event = candidate.entry, candidate.event
        if event.pk in links.cause_of or (entry.pk, candidate.slot) in taken:
            continue
        taken.add((entry.pk, candidate.slot))
        links.cause_of[event.pk] = entry
        links.caused_by.setdefault(entry.pk, []).append(event)
    for caused in links.caused_by.values():
        caused.sort(key=lambda event: (event.created_at, event.external_id))
    return links


def _slots(cause: Cause, entry: AuditEntry, event: ActivityEvent) -> list[str]:
    """The entry's places this event may fill: none when the event names another target."""
    if cause.target is Subject.EMAIL:
        wanted = entry.target_label.casefold()
        named = {value.casefold() for value in detail_values(event.details, Subject.EMAIL)}
    else:
        wanted = entry.target_id
        named = set(detail_values(event.details, cause.target))
    if not wanted or wanted not in named:
        return []
    if not cause.per_tenant:
        return [""]
    asked = entry.parameters.get("tenant_ids") if isinstance(entry.parameters, dict) else None
    asked_ids = {t for t in asked if isinstance(t, str)} if isinstance(asked, list) else set()
    return [t for t in detail_values(event.details, Subject.TENANT) if t in asked_ids]
