"""`manage.py verify_archive`: recompute the archive's hash chains and report the first break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.authtenants.models import AuthTenant
from apps.core import hashchain


def auth_tenant_id_from_option(value: str) -> int | None:
    """The id of the Auth Tenant named by --auth-tenant (name, team slug or id); None: all."""
    if not value:
        return None
    tenants = AuthTenant.objects.filter(name=value) or AuthTenant.objects.filter(team_slug=value)
    if not tenants and value.isascii() and value.isdigit():  # int("²") fails
        tenants = AuthTenant.objects.filter(pk=int(value))
    found = list(tenants.values_list("pk", flat=True)[:2])
    if len(found) > 1:
        raise CommandError(f"Several Auth Tenants use the team slug {value!r}; give a name or id.")
    if not found:
        raise CommandError(f"No Auth Tenant has the name, team slug or id {value!r}.")
    return found[0]


def _records(count: int) -> str:
    return f"{count} record" + ("" if count == 1 else "s")


class Command(BaseCommand):
    help = (
        "Recompute the hash chains of stored activity events and dashboard actions and report "
        "the first break in each; exits with status 1 when any chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--auth-tenant",
            dest="auth_tenant",
            default="",
            help="Name, team slug or id of the Auth Tenant to verify (default: every chain).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reports = hashchain.verify_archive(auth_tenant_id_from_option(options["auth_tenant"]))
        broken = 0
        for report in reports:
            result = report.verification
            if result.first_break is None:
                self.stdout.write(f"OK      {report.label}: {_records(result.checked)} intact.")
            else:
                broken += 1
                self.stdout.write(
                    f"BROKEN  {report.label}: {_records(result.checked)} intact before the "
                    f"break. {result.first_break.describe()}"
                )
        if not reports:
            self.stdout.write("Nothing is archived yet.")
        if broken:
            raise CommandError(
                f"{broken} of {len(reports)} archive chains do not verify: a record was "
                "changed, removed or inserted after it was stored (first break shown above)."
            )
