"""CSV exports of access history: the periods on a date, and the changes between two dates.

Roles are exported as their slugs (what the API and other tools use), joined with "; ".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import astuple
from datetime import datetime

from django.db.models import QuerySet

from apps.core.exports import neutralise
from apps.directory.history import GRANT_FIELDS, AccessChange
from apps.directory.models import DirectoryAccess

# The header of history.GRANT_FIELDS, in its order.
GRANT_COLUMNS = (
    "member_id",
    "member_name",
    "member_email",
    "tenant_id",
    "tenant_name",
    "environment",
)
AS_OF_COLUMNS = (*GRANT_COLUMNS, "roles", "from", "until")
CHANGES_COLUMNS = ("at", "change", *GRANT_COLUMNS, "old_roles", "new_roles")


def csv_text(rows: Iterable[list[str]]) -> str:
    """The rows as CSV, every cell neutralised (a team's history fits in memory)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([neutralise(value) for value in row] for row in rows)
    return buffer.getvalue()


def _when(at: datetime | None) -> str:
    return at.isoformat().replace("+00:00", "Z") if at is not None else ""


def as_of_rows(periods: QuerySet[DirectoryAccess]) -> Iterator[list[str]]:
    """The header, then one row per access period, in the queryset's order."""
    yield list(AS_OF_COLUMNS)
    rows = periods.values_list(*GRANT_FIELDS, "roles", "first_seen_at", "removed_at")
    for *grant, roles, first_seen_at, removed_at in rows.iterator(chunk_size=2000):
        yield [*grant, "; ".join(roles), _when(first_seen_at), _when(removed_at)]


def changes_rows(changes: Iterable[AccessChange]) -> Iterator[list[str]]:
    """The header, then one row per change, oldest first."""
    yield list(CHANGES_COLUMNS)
    for change in changes:
        yield [
            _when(change.at),
            change.kind.value,
            *astuple(change.grant),
            "; ".join(change.old_roles),
            "; ".join(change.new_roles),
        ]
