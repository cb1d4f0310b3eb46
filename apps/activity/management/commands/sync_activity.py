"""`manage.py sync_activity`: copy new activity entries now, in this process."""

from __future__ import annotations

from apps.activity import services
from apps.authtenants.models import AuthTenant
from apps.sync.commands import SyncCommand
from apps.sync.models import SyncKind, SyncRun


class Command(SyncCommand):
    help = "Sync the Teams activity log of one or every enabled Auth Tenant into the database."
    kind = SyncKind.ACTIVITY
    full_help = "Walk the whole log again (idempotent)."

    def sync(self, auth_tenant: AuthTenant, *, full: bool) -> SyncRun:
        return services.activity_sync(auth_tenant=auth_tenant, full=full)
