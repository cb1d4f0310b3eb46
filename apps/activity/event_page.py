"""Reads for one event's page: the event itself and the events around it in time."""

from __future__ import annotations

from apps.activity.models import ActivityEvent
from apps.activity.selectors import Cursor, newer_than, older_than

AROUND = 5  # events shown before and after the one on the page


def event_get(*, pk: int) -> ActivityEvent | None:
    """The event with this id, or None; an event of a disabled Auth Tenant is not shown anywhere."""
    return (
        ActivityEvent.objects.select_related("auth_tenant")
        .filter(pk=pk, auth_tenant__enabled=True)
        .first()
    )


def events_around(
    *, event: ActivityEvent, count: int = AROUND
) -> tuple[list[ActivityEvent], list[ActivityEvent]]:
    """Up to `count` events of the same Auth Tenant just before and just after `event`, each
    list oldest first, in the log's order (time, then id for events of the same instant)."""
    same = ActivityEvent.objects.filter(auth_tenant_id=event.auth_tenant_id)
    here = Cursor.of(event)
    before = older_than(same, here).order_by("-created_at", "-external_id")[:count]
    after = newer_than(same, here).order_by("created_at", "external_id")[:count]
    return list(before)[::-1], list(after)
