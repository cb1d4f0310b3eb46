"""Index the events' words for free-text search (a GIN index on PostgreSQL, FTS5 on SQLite) and,
on PostgreSQL, the values their details name for the target filter."""

from typing import Any

from django.db import migrations

from apps.activity import search, targets


def _run(statements: dict[str, Any]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        build = statements.get(schema_editor.connection.vendor)
        for sql in build() if build else []:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("activity", "0004_chain_existing_events")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": search.postgresql_create, "sqlite": search.sqlite_create}),
            _run({"postgresql": search.postgresql_drop, "sqlite": search.sqlite_drop}),
        ),
        migrations.RunPython(
            _run({"postgresql": targets.postgresql_create}),
            _run({"postgresql": targets.postgresql_drop}),
        ),
    ]
