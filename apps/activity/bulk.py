"""Store a batch of activity entries fast, each id once per Auth Tenant.

`bulk_create` spent most of a backfill's local time preparing values field by field. Here each
entry becomes one row tuple. PostgreSQL loads the batch with COPY into a staging table that
empties itself at commit, then moves it with one INSERT … SELECT; other databases insert with
executemany. Both end in ON CONFLICT DO NOTHING, so an id already stored (a redelivered page,
the inclusive `since` boundary) is skipped rather than doubled, and the database reports how
many rows were new.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from apps.activity.models import ActivityEvent

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant
    from apps.teamsapi.types import ActivityLogEntry

# Every column an entry fills, in row-tuple order (see _row); the table's id is generated.
FIELDS = (
    "auth_tenant",
    "external_id",
    "type",
    "status",
    "current_event",
    "actor_id",
    "actor_type",
    "actor_name",
    "actor_picture",
    "actor_is_member",
    "actor_team_role",
    "ip",
    "hostname",
    "user_agent",
    "version",
    "created_at",
    "details",
    "stored_at",
)
STAGING_TABLE = "activity_event_staging"

Row = tuple[Any, ...]


def insert_new(auth_tenant: AuthTenant, entries: Sequence[ActivityLogEntry]) -> int:
    """Insert the entries whose id the Auth Tenant has not stored yet; returns how many were new.

    Call inside a transaction (the staging table is emptied at its commit).
    """
    if not entries:
        return 0
    stored_at = timezone.now()
    rows = [_row(auth_tenant.pk, entry, stored_at) for entry in entries]
    if connection.vendor == "postgresql":
        return _copy_insert(rows)
    return _executemany_insert(rows)


def _row(auth_tenant_id: int, entry: ActivityLogEntry, stored_at: datetime) -> Row:
    actor = entry.actor
    return (
        auth_tenant_id,
        entry.id,
        entry.type or "",
        entry.status or "",
        entry.current_event or "",
        (actor.id if actor else None) or "",
        (actor.type if actor else None) or "",
        (actor.name if actor else None) or "",
        (actor.picture if actor else None) or "",
        actor.is_member if actor else None,
        (actor.team_role if actor else None) or "",
        entry.ip or "",
        entry.hostname or "",
        entry.user_agent or "",
        entry.version or "",
        entry.created_at,
        entry.details or {},
        stored_at,
    )


def _columns() -> str:
    column = {field.name: str(field.column) for field in ActivityEvent._meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(column[name]) for name in FIELDS)


def _table() -> str:
    return connection.ops.quote_name(ActivityEvent._meta.db_table)


def _copy_insert(rows: list[Row]) -> int:
    columns = _columns()
    details = FIELDS.index("details")
    with connection.cursor() as cursor:
        # Column types copied from the real table, without its constraints; one per session,
        # emptied at every commit. Rows left from an earlier batch of the same transaction
        # are stored already, so moving them again inserts and counts nothing.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING_TABLE} ON COMMIT DELETE ROWS AS "  # noqa: S608 - names from the model
            f"SELECT {columns} FROM {_table()} WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no COPY
        with raw.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:details], json.dumps(row[details]), *row[details + 1 :]))
        cursor.execute(
            f"INSERT INTO {_table()} ({columns}) SELECT {columns} FROM {STAGING_TABLE} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        inserted: int = cursor.rowcount
    return inserted


def _executemany_insert(rows: list[Row]) -> int:
    ops = connection.ops
    stamps = [FIELDS.index("created_at"), FIELDS.index("stored_at")]
    details = FIELDS.index("details")
    adapted = []
    for row in rows:
        values = list(row)
        for index in stamps:
            values[index] = ops.adapt_datetimefield_value(values[index])
        values[details] = ops.adapt_json_value(values[details], None)
        adapted.append(values)
    placeholders = ", ".join(["%s"] * len(FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_table()} ({_columns()}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            adapted,
        )
        inserted: int = cursor.rowcount
    return inserted
