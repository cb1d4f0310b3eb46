"""Index the events' words for free-text search (a GIN index on PostgreSQL, FTS5 on SQLite) and,
on PostgreSQL, the values their details name for the target filter."""

from django.db import migrations

from apps.activity import search, targets
from apps.core.db import run_per_vendor


class Migration(migrations.Migration):
    dependencies = [("activity", "0004_chain_existing_events")]

    operations = [
        migrations.RunPython(
            run_per_vendor(
                {"postgresql": search.postgresql_create, "sqlite": search.sqlite_create}
            ),
            run_per_vendor({"postgresql": search.postgresql_drop, "sqlite": search.sqlite_drop}),
        ),
        migrations.RunPython(
            run_per_vendor({"postgresql": targets.postgresql_create}),
            run_per_vendor({"postgresql": targets.postgresql_drop}),
        ),
    ]
