"""What the sync management commands share: picking Auth Tenants and printing a run's summary."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from apps.authtenants.models import AuthTenant
from apps.sync.models import SyncKind, SyncRun, SyncStatus


def add_auth_tenant_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--auth-tenant",
        dest="auth_tenant",
        default="",
        help="Name or id of the Auth Tenant to sync (default: every enabled Auth Tenant).",
    )


def auth_tenants_from_option(value: str) -> list[AuthTenant]:
    """The Auth Tenants named by --auth-tenant, or every enabled one; CommandError when unknown."""
    if not value:
        tenants = list(AuthTenant.objects.filter(enabled=True).order_by("name"))
        if not tenants:
            raise CommandError("No enabled Auth Tenant is configured.")
        return tenants
    tenant = AuthTenant.objects.filter(name=value).first()
    if tenant is None and value.isdigit():
        tenant = AuthTenant.objects.filter(pk=int(value)).first()
    if tenant is None:
        raise CommandError(f"No Auth Tenant is named {value!r} or has that id.")
    return [tenant]


def last_run(*, auth_tenant: AuthTenant, kind: SyncKind) -> SyncRun:
    return SyncRun.objects.filter(auth_tenant=auth_tenant, kind=kind).latest("pk")


def run_summary(run: SyncRun) -> str:
    duration = run.duration_seconds or 0.0
    text = (
        f"{run.auth_tenant.name}: {run.kind} {run.status} in {duration:.1f}s, "
        f"{run.pages_fetched} pages, {run.requests_made} requests"
    )
    if run.kind == "activity":
        text += f", {run.events_created} new events, {run.events_present} already stored"
    else:
        text += (
            f", {run.rows_created} rows created, {run.rows_updated} updated, "
            f"{run.rows_removed} marked removed"
        )
    if run.status in {SyncStatus.FAILED, SyncStatus.SKIPPED}:
        text += f": {run.error}"
    return text
