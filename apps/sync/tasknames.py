"""The Celery task names the sync owns; the activity and directory apps register under them.

Sync enqueues by name (`send_task`), so it never imports the apps that do the work. This module
imports nothing, so the Celery app's beat schedule can use it before Django is set up.
"""

from __future__ import annotations

ACTIVITY_SYNC = "sync.activity"  # args: (auth_tenant_id, full=False)
DIRECTORY_SYNC = "sync.directory"  # args: (auth_tenant_id, full=False)
SYNC_ALL = "sync.all"  # args: (kind,): enqueue that kind's sync for every enabled Auth Tenant
RUNS_PRUNE = "sync.runs_prune"
BULK_INVITE_RUN = "members.bulk_invite_run"  # args: (bulk_invite_id,)
BULK_INVITES_RESUME = "members.bulk_invites_resume"  # no args: queue again lists nobody sends
ACTIVITY_PRUNE = "sync.activity_prune"  # no args: every Auth Tenant's events past retention
INVITATIONS_EXPIRE = "sync.invitations_expire"  # no args: every pending invitation past the limit

# Per SyncKind value, the task that syncs one Auth Tenant.
SYNC_TASK_BY_KIND = {"activity": ACTIVITY_SYNC, "directory": DIRECTORY_SYNC}
