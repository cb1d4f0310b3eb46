"""Database chores shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Model

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
