"""analyze(): the planner gets statistics for a freshly loaded table, on either database."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.core.db import analyze
from apps.sandbox.models import SandboxActivity
from apps.sandbox.seeding import seed

TABLE = SandboxActivity._meta.db_table


def _sqlite_statistics() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        return int(cursor.fetchone()[0])


def _postgres_analyses() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [TABLE])
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_analyze_records_statistics_for_the_table() -> None:
    seed(tenants=1, members=3, activity=200, seed=3)  # below the seed's own analyze threshold
    if connection.vendor == "sqlite":
        if _sqlite_statistics():  # left by an earlier test's seed on this database
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        analyze(SandboxActivity)
        assert _sqlite_statistics() > 0
    else:
        before = _postgres_analyses()
        analyze(SandboxActivity)
        assert _postgres_analyses() == before + 1
