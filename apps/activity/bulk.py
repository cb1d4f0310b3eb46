"""Store a batch of activity entries fast, each id once per Auth Tenant.

`bulk_create` spent most of a backfill's local time preparing values field by field. Here each
entry becomes one row tuple. PostgreSQL loads the batch with COPY into a staging table that
empties itself at commit, then moves it with one INSERT … SELECT; other databases insert with
executemany. Both end in ON CONFLICT DO NOTHING, so an id already stored (a redelivered page,
the inclusive `since` boundary) is skipped rather than doubled, and the database reports how
many rows were new.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from apps.activity import chain
from apps.activity.models import ActivityEvent

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant
    from apps.teamsapi.types import ActivityLogEntry

# Every column an entry fills, in row-tuple order (see _row); the table's id is generated.
# The hashed content comes first, as the chain reads it, then what storing adds.
FIELDS = (*chain.CONTENT_FIELDS, "stored_at", "chain_seq", "chain_hash")
STAGING_TABLE = "activity_event_staging"

Row = tuple[Any, ...]


def insert_new(auth_tenant: AuthTenant, entries: Sequence[ActivityLogEntry]) -> int:
    """Insert the entries whose id the Auth Tenant has not stored yet; returns how many were new.

    Call inside a transaction (the staging table is emptied at its commit; the new rows'
    archive chain links are computed under the chain head's lock, held until it ends).
    """
    if not entries:
        return 0
    stamp: Callable[[datetime], Any]
    as_json: Callable[[dict[str, Any]], Any]
    if connection.vendor == "postgresql":
        # COPY adapts datetimes itself, and a jsonb column reads JSON text.
        stamp, as_json, insert = _same, json.dumps, _copy_insert
    else:
        ops = connection.ops
        stamp = ops.adapt_datetimefield_value
        as_json = functools.partial(ops.adapt_json_value, encoder=None)
        insert = _executemany_insert
    stored_at = stamp(timezone.now())

    def insert_rows(linked: chain.Linked) -> int:
        return insert(
            [_row(auth_tenant.pk, e, stored_at, stamp, as_json) + link for e, link in linked]
        )

    return chain.insert_linked(auth_tenant, entries, insert_rows)


def _same(value: datetime) -> datetime:
    return value


def _row(
    auth_tenant_id: int,
    entry: ActivityLogEntry,
    stored_at: Any,
    stamp: Callable[[datetime], Any],
    as_json: Callable[[dict[str, Any]], Any],
) -> Row:
    """One entry's hashed content and `stored_at`; `stamp` and `as_json` put its date and JSON
    in the form the database takes (`stored_at` already is)."""
    *values, created_at, details = chain.entry_content(auth_tenant_id, entry)
    return (*values, stamp(created_at), as_json(details), stored_at)


def _columns() -> str:
    fields = ActivityEvent._meta.concrete_fields
    column = {name: str(f.column) for f in fields for name in (f.name, f.attname)}
    return ", ".join(connection.ops.quote_name(column[name]) for name in FIELDS)


def _table() -> str:
    return connection.ops.quote_name(ActivityEvent._meta.db_table)


def _copy_insert(rows: list[Row]) -> int:
    columns = _columns()
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
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {_table()} ({columns}) SELECT {columns} FROM {STAGING_TABLE} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        inserted: int = cursor.rowcount
    return inserted


def _executemany_insert(rows: list[Row]) -> int:
    placeholders = ", ".join(["%s"] * len(FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_table()} ({_columns()}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            rows,
        )
        inserted: int = cursor.rowcount
    return inserted
