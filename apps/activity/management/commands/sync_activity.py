"""`manage.py sync_activity`: copy new activity entries now, in this process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.activity import services
from apps.sync.commands import (
    add_auth_tenant_argument,
    auth_tenants_from_option,
    last_run,
    run_summary,
)
from apps.sync.models import SyncKind, SyncStatus
from apps.teamsapi.errors import RETRYABLE


class Command(BaseCommand):
    help = "Sync the Teams activity log of one or every enabled Auth Tenant into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        add_auth_tenant_argument(parser)
        parser.add_argument(
            "--full", action="store_true", help="Walk the whole log again (idempotent)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for auth_tenant in auth_tenants_from_option(options["auth_tenant"]):
            try:
                run = services.activity_sync(auth_tenant=auth_tenant, full=options["full"])
            except RETRYABLE:
                # Already recorded on the run; the summary below reads the reason back.
                run = last_run(auth_tenant=auth_tenant, kind=SyncKind.ACTIVITY)
            self.stdout.write(run_summary(run))
            failed = failed or run.status == SyncStatus.FAILED
        if failed:
            raise CommandError("The activity sync failed; see the reason above.")
