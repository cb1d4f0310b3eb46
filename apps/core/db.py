"""Database chores shared by the apps."""

from __future__ import annotations

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
