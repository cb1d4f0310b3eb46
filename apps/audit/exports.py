"""What a Dashboard actions export holds: its columns, in order."""

from __future__ import annotations

from apps.audit.models import AuditAction, AuditOutcome
from apps.core.exports import Column, Kind

COLUMNS = (
    Column("created_at", "created_at", Kind.TIMESTAMP),
    Column("id", "id", Kind.INTEGER),
    Column("user", "actor_username"),
    Column("auth_tenant", "auth_tenant_name"),
    Column("action", "action", Kind.LABEL, dict(AuditAction.choices)),
    Column("target_type", "target_type"),
    Column("target_id", "target_id"),
    Column("target_label", "target_label"),
    Column("outcome", "outcome", Kind.LABEL, dict(AuditOutcome.choices)),
    Column("message", "message"),
    Column("parameters", "parameters", Kind.JSON),
    Column("request_id", "request_id"),
)
