"""`manage.py sync_directory`: refresh the directory mirror now, in this process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.directory import services
from apps.sync.commands import (
    add_auth_tenant_argument,
    auth_tenants_from_option,
    last_run,
    run_summary,
)
from apps.sync.models import SyncKind, SyncStatus
from apps.teamsapi.errors import RETRYABLE


class Command(BaseCommand):
    help = "Refresh the tenants, members and tenant access of one or every enabled Auth Tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        add_auth_tenant_argument(parser)
        parser.add_argument(
            "--full",
            action="store_true",
            help="Accepted for symmetry with sync_activity; every directory refresh is full.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for auth_tenant in auth_tenants_from_option(options["auth_tenant"]):
            try:
                run = services.directory_sync(auth_tenant=auth_tenant)
            except RETRYABLE:
                # Already recorded on the run; the summary below reads the reason back.
                run = last_run(auth_tenant=auth_tenant, kind=SyncKind.DIRECTORY)
            self.stdout.write(run_summary(run))
            failed = failed or run.status == SyncStatus.FAILED
        if failed:
            raise CommandError("The directory sync failed; see the reason above.")
