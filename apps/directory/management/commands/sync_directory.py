"""`manage.py sync_directory`: refresh the directory mirror now, in this process."""

from __future__ import annotations

from apps.authtenants.models import AuthTenant
from apps.directory import services
from apps.sync.commands import SyncCommand
from apps.sync.models import SyncKind, SyncRun


class Command(SyncCommand):
    help = "Refresh the tenants, members and tenant access of one or every enabled Auth Tenant."
    kind = SyncKind.DIRECTORY
    full_help = "Accepted for symmetry with sync_activity; every directory refresh is full."

    def sync(self, auth_tenant: AuthTenant, *, full: bool) -> SyncRun:
        return services.directory_sync(auth_tenant=auth_tenant)
