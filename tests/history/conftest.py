"""Helpers for the pages that show both sides: events and entries at chosen times."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from apps.activity.models import ActivityEvent
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant

DASHBOARD_CLIENT = "dashboardClient0000000001"  # the Auth Tenant's client the dashboard calls with


def event(auth_tenant: AuthTenant, at: datetime, name: str, **fields: Any) -> ActivityEvent:
    """A stored activity event; made by the dashboard's client unless `actor_id` says otherwise."""
    values: dict[str, Any] = {
        "external_id": str(uuid.uuid4()),
        "type": "Team Member",
        "status": "Success",
        "current_event": name,
        "actor_id": DASHBOARD_CLIENT,
        "actor_type": "machine",
        "actor_name": "Teams Admin",
        "created_at": at,
        "details": {},
    }
    values.update(fields)
    return ActivityEvent.objects.create(auth_tenant=auth_tenant, **values)


def entry(auth_tenant: AuthTenant, at: datetime, action: AuditAction, **fields: Any) -> AuditEntry:
    """A dashboard action recorded at `at`."""
    values: dict[str, Any] = {
        "actor_username": "owner-user",
        "auth_tenant_name": auth_tenant.name,
        "outcome": AuditOutcome.SUCCESS,
        "created_at": at,
    }
    values.update(fields)
    return AuditEntry.objects.create(auth_tenant=auth_tenant, action=action, **values)
