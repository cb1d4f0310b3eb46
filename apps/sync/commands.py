"""The base of the sync management commands: picking Auth Tenants, running, printing each run."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.authtenants.models import AuthTenant
from apps.sync.models import SyncKind, SyncRun, SyncStatus
from apps.sync.services import SyncNotCompleted, run_summary


def auth_tenants_from_option(value: str) -> list[AuthTenant]:
    """The Auth Tenants named by --auth-tenant, or every enabled one; CommandError when unknown."""
    if not value:
        tenants = list(AuthTenant.objects.filter(enabled=True).order_by("name"))
        if not tenants:
            raise CommandError("No enabled Auth Tenant is configured.")
        return tenants
    tenant = AuthTenant.objects.filter(name=value).first()
    if tenant is None and value.isascii() and value.isdigit():  # int("²") fails
        tenant = AuthTenant.objects.filter(pk=int(value)).first()
    if tenant is None:
        raise CommandError(f"No Auth Tenant is named {value!r} or has that id.")
    return [tenant]


class SyncCommand(BaseCommand):
    """`manage.py sync_<kind>`: run one kind of sync now, in this process; one line per run.

    Subclasses set `kind` and `full_help` and implement `sync`.
    """

    kind: ClassVar[SyncKind]
    full_help: ClassVar[str]

    def sync(self, auth_tenant: AuthTenant, *, full: bool) -> SyncRun:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--auth-tenant",
            dest="auth_tenant",
            default="",
            help="Name or id of the Auth Tenant to sync (default: every enabled Auth Tenant).",
        )
        parser.add_argument("--full", action="store_true", help=self.full_help)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for auth_tenant in auth_tenants_from_option(options["auth_tenant"]):
            try:
                run = self.sync(auth_tenant, full=options["full"])
            except SyncNotCompleted as stopped:
                run = stopped.run
            self.stdout.write(run_summary(run))
            failed = failed or run.status == SyncStatus.FAILED
        if failed:
            raise CommandError(f"The {self.kind.value} sync failed; see the reason above.")
