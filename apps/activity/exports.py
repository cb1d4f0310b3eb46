"""CSV export of stored activity: streamed row by row, so a million events never sit in memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from apps.activity.models import ActivityEvent

COLUMNS = (
    "created_at", "id", "type", "status", "current_event", "actor_type", "actor_id", "actor_name",
    "ip", "hostname", "user_agent", "details",
)  # fmt: skip
# Cells starting with these are formulas in spreadsheet programs (CSV injection); prefix them.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def activity_export_rows(events: QuerySet[ActivityEvent]) -> Iterator[list[str]]:
    """The header, then one row per event in the queryset's order."""
    yield list(COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield [
            event.created_at.isoformat().replace("+00:00", "Z"),
            event.external_id,
            event.type,
            event.status,
            event.current_event,
            event.actor_type,
            event.actor_id,
            event.actor_name,
            event.ip,
            event.hostname,
            event.user_agent,
            json.dumps(event.details, sort_keys=True, separators=(",", ":")),
        ]


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])
