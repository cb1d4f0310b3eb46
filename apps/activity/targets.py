"""The target filter: events whose details name a member, tenant or address, matched exactly.

A target is one whole value of a key in contract.DETAIL_SUBJECTS (a list value counts each
item), compared without case: "Linus@Example.com" finds "linus@example.com", "payments"
does not find "payments-prod".

- PostgreSQL: a stored generated jsonb column holds the lower-cased string values of those keys
  (`["auth0|grace", "ten_42"]`), under a GIN index (jsonb_path_ops), so a lookup is one `@>`
  probe that reads only the events naming the value. Checking `details` after the word index
  instead read every event holding the value's words (an actor's id is also in the events
  that actor wrote: thousands of rows for one member). Not on the model, like the search
  column (apps/activity/search.py), and for the same reasons; it reads `details`, so a
  migration that changes that column's type drops it first and adds it back after.
- SQLite: the word index narrows to events holding the value's words, then json_each compares
  each key's values.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from apps.activity import search
from apps.activity.models import ActivityEvent
from apps.teamsapi.contract import DETAIL_SUBJECTS

KEYS = tuple(DETAIL_SUBJECTS)
COLUMN_PG = "detail_targets"
INDEX_PG = "activity_event_targets"
_TABLE = ActivityEvent._meta.db_table
# Keys are fixed identifiers (letters and underscores), safe inside the path and SQL text.
_PATH = (
    "$.keyvalue() ? ("
    + " || ".join(f'@.key == "{key}"' for key in KEYS)
    + ').value[*] ? (@.type() == "string")'
)
# IMMUTABLE pieces only (a generated column needs them); `silent` skips details that are not
# an object. lower() of the array's JSON text lowers the strings and leaves the syntax valid.
VALUES_PG = f"lower(jsonb_path_query_array(\"details\", '{_PATH}', '{{}}', true)::text)::jsonb"


def names(value: str) -> Q:
    """Events whose details name `value` under one of KEYS (whole value, any case)."""
    if connection.vendor == "postgresql":
        sql = f'"{_TABLE}"."{COLUMN_PG}" @> jsonb_build_array(lower(%s::text))'
        return Q(RawSQL(sql, [value], output_field=BooleanField()))  # noqa: S611 - bound
    if connection.vendor == "sqlite":
        each = " UNION ALL ".join(
            f'SELECT type, value FROM json_each("{_TABLE}"."details", \'$."{key}"\')'  # noqa: S608 - fixed names
            for key in KEYS
        )
        sql = f"EXISTS (SELECT 1 FROM ({each}) WHERE type = 'text' AND lower(value) = lower(%s))"  # noqa: S608 - fixed names
        exact = RawSQL(sql, [value], output_field=BooleanField())  # noqa: S611 - bound
        return search.matches(value, phrase=True) & Q(exact)
    # Another database: single values only, unindexed.
    return Q.create([(f"details__{key}__iexact", value) for key in KEYS], "OR")


def postgresql_create() -> list[str]:
    return [
        f'ALTER TABLE "{_TABLE}" ADD COLUMN {COLUMN_PG} jsonb '
        f"GENERATED ALWAYS AS ({VALUES_PG}) STORED",
        f'CREATE INDEX {INDEX_PG} ON "{_TABLE}" USING gin ({COLUMN_PG} jsonb_path_ops)',
    ]


def postgresql_drop() -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {INDEX_PG}",
        f'ALTER TABLE "{_TABLE}" DROP COLUMN IF EXISTS {COLUMN_PG}',
    ]
