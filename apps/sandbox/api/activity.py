"""Teams API activity log endpoint (§5 #16): newest first, checkpoint cursors, sync faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from apps.sandbox import contract, pagination, validation
from apps.sandbox.dispatch import Ctx
from apps.sandbox.errors import json_response, validation_error
from apps.sandbox.models import SandboxActivity

# Pages are read as plain values: building model instances was most of a page's cost.
FIELDS = (
    "id",
    "type",
    "status",
    "details",
    "ip",
    "hostname",
    "user_agent",
    "version",
    "created_at",
    "current_event",
    "actor",
)


def activity_json(entry: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": entry["id"], "type": entry["type"], "status": entry["status"]}
    if entry["details"]:
        body["details"] = entry["details"]
    for name in ("ip", "hostname", "user_agent", "version"):
        if entry[name]:
            body[name] = entry[name]
    body.update(
        created_at=validation.iso(entry["created_at"]),
        current_event=entry["current_event"],
        actor=entry["actor"],
    )
    return body


def _cursor_position(request: HttpRequest, fhash: str) -> tuple[datetime, str] | None:
    """The (created_at, id) the page continues after; None for the first page."""
    raw = pagination.cursor_arg(request)
    if raw is None:
        return None
    key, last_id = pagination.decode(raw, fhash)
    if key is None or last_id is None:
        return None
    try:
        when = datetime.fromisoformat(key)
    except ValueError as exc:
        raise validation_error("from: invalid cursor") from exc
    return (when if when.tzinfo else when.replace(tzinfo=UTC)), last_id


def list_activity(ctx: Ctx) -> HttpResponse:
    request = ctx.request
    take = pagination.take(request)
    since = validation.datetime_param(request, "since")
    until = validation.datetime_param(request, "until")
    if since and until and since > until:
        raise validation_error("since must not be after until")
    filters: dict[str, str] = {}
    rows = SandboxActivity.objects.filter(team=ctx.team)
    if since:
        rows = rows.filter(created_at__gte=since)
        filters["since"] = since.isoformat()
    if until:
        filters["until"] = until.isoformat()
    for name, allowed in (
        ("type", contract.ACTIVITY_TYPES),
        ("status", contract.ACTIVITY_STATUSES),
    ):
        if name in request.GET:
            filters[name] = validation.enum(request.GET[name], name, allowed)
            rows = rows.filter(**{name: filters[name]})
    fhash = pagination.filter_hash("activity", {"team": ctx.team.slug, **filters})
    after = _cursor_position(request, fhash)
    # Exactly one upper bound on created_at: it is what an index range-scans, and SQLite uses
    # only the first of two, so a second would make every page rescan from `until` (O(N)).
    if after is not None and (until is None or after[0] < until):
        when, last_id = after
        rows = rows.filter(created_at__lte=when).filter(
            Q(created_at__lt=when) | Q(created_at=when, id__lt=last_id)
        )
    elif until:
        # Entries before `until` are all before a cursor at or after it.
        rows = rows.filter(created_at__lt=until)
    page = list(rows.order_by("-created_at", "-id").values(*FIELDS)[: take + 1])
    shown = page[:take]
    logs = [activity_json(entry) for entry in shown]
    state = ctx.faults
    if state.duplicate_id_in_page and logs:
        logs.append(dict(logs[0]))
    body: dict[str, Any] = {"logs": logs}
    if len(page) > take:
        last = shown[-1]
        body["next"] = pagination.encode(last["created_at"].isoformat(), last["id"], fhash)
    if state.looping_next:
        # Points back at the first page, so a client without a page cap never ends.
        body["next"] = pagination.encode(None, None, fhash)
    return json_response(body)
