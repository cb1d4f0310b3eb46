"""CSV exports of access history: the periods on a date, and the changes between two dates.

Roles are exported as their slugs (what the API and other tools use), joined with "; ".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from apps.directory.history import AccessChange
from apps.directory.models import DirectoryAccess

AS_OF_COLUMNS = (
    "member_name", "member_email", "member_id", "tenant_name", "tenant_id", "environment",
    "roles", "from", "until",
)  # fmt: skip
CHANGES_COLUMNS = (
    "at", "change", "member_name", "member_email", "member_id", "tenant_name", "tenant_id",
    "environment", "old_roles", "new_roles",
)  # fmt: skip
# Cells starting with these are formulas in spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def csv_text(rows: Iterable[list[str]]) -> str:
    """The rows as CSV, every cell neutralised (a team's history fits in memory)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([neutralise(value) for value in row] for row in rows)
    return buffer.getvalue()


def _when(at: datetime | None) -> str:
    return at.isoformat().replace("+00:00", "Z") if at is not None else ""


def _who_and_where(period: DirectoryAccess) -> list[str]:
    member, tenant = period.member, period.tenant
    return [
        member.name,
        member.email,
        member.member_id,
        tenant.tenant_name,
        tenant.tenant_id,
        tenant.environment,
    ]


def as_of_rows(periods: Iterable[DirectoryAccess]) -> Iterator[list[str]]:
    """The header, then one row per access period."""
    yield list(AS_OF_COLUMNS)
    for period in periods:
        yield [
            *_who_and_where(period),
            "; ".join(period.roles),
            _when(period.first_seen_at),
            _when(period.removed_at),
        ]


def changes_rows(changes: Iterable[AccessChange]) -> Iterator[list[str]]:
    """The header, then one row per change, oldest first."""
    yield list(CHANGES_COLUMNS)
    for change in changes:
        yield [
            _when(change.at),
            change.kind.value,
            *_who_and_where(change.period),
            "; ".join(change.old_roles),
            "; ".join(change.new_roles),
        ]
