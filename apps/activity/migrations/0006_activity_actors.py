"""The log's actors in a table of their own, kept by triggers, for the actor filter
(apps/activity/actors.py); filled from the events already stored."""

import django.db.models.deletion
from django.db import migrations, models

from apps.activity import actors
from apps.core.db import run_per_vendor


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0005_activity_search_index"),
        ("authtenants", "0002_sandbox_origin"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityActor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("actor_id", models.CharField(blank=True, max_length=1024)),
                ("actor_name", models.CharField(blank=True, max_length=512)),
                (
                    "auth_tenant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="authtenants.authtenant",
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            run_per_vendor(
                {"postgresql": actors.postgresql_create, "sqlite": actors.sqlite_create}
            ),
            run_per_vendor({"postgresql": actors.postgresql_drop, "sqlite": actors.sqlite_drop}),
        ),
    ]
