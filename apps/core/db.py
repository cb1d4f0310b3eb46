"""Database chores shared by the apps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Func, Model, TextField

# SQLite reads at most this many rows of each index for its statistics (PostgreSQL samples).
SQLITE_ANALYSIS_LIMIT = 2000


def analyze(model: type[Model]) -> None:
    """Refresh the query planner's statistics for one table, e.g. after a bulk load.

    Right after a bulk load PostgreSQL still plans for the table as it was (autovacuum
    catches up later, or never where it is off) and can pick a scan of every row over an
    index. Both databases estimate from a sample, so this stays cheap at millions of rows.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


SqlBuilder = Callable[[], list[str]]


def run_per_vendor(statements: dict[str, SqlBuilder]) -> Callable[[Any, Any], None]:
    """A RunPython function that executes the statements built for the migrating database
    (keyed by vendor: "postgresql", "sqlite"); other databases get none."""

    def run(apps: Any, schema_editor: Any) -> None:
        build = statements.get(schema_editor.connection.vendor)
        for sql in build() if build else []:
            schema_editor.execute(sql)

    return run


class JSONArrayText(Func):
    """A column's values over the rows of a (sub)query as one JSON array text, "[]" for none.

    A plain function, not an aggregate, so it adds no GROUP BY: put it in a subquery's only
    column and a page query can carry a short list (filter options, granted scopes) instead of
    reading it in a round trip of its own. PostgreSQL's json_agg gives NULL for no rows.
    """

    function = "JSON_AGG"
    template = "COALESCE(CAST(%(function)s(%(distinct)s%(expressions)s) AS TEXT), '[]')"
    output_field = TextField()

    def __init__(self, expression: Any, *, distinct: bool = False) -> None:
        super().__init__(expression, distinct="DISTINCT " if distinct else "")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def json_array(text: str | None) -> list[Any]:
    """What a JSONArrayText column held (None, as a missing subquery row gives, is empty)."""
    return json.loads(text) if text else []
