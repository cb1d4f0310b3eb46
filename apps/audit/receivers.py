"""Exports are dashboard actions too: each one is recorded when its download ends."""

from __future__ import annotations

from typing import Any

from apps.audit.models import AuditAction, AuditOutcome
from apps.audit.services import audit_record
from apps.core.exports import ExportFormat

# What was exported (the export_ended sender) -> the action recorded.
EXPORT_ACTIONS = {"activity": AuditAction.EXPORT_ACTIVITY, "audit": AuditAction.EXPORT_AUDIT}


def export_ended(
    sender: str,
    *,
    actor: Any,
    auth_tenant: Any,
    export_format: ExportFormat,
    filters: dict[str, Any],
    rows: int,
    complete: bool,
    request: Any,
    **kwargs: Any,
) -> None:
    """Record who exported which filter, in which format, and how many rows left the server."""
    noun = "row" if rows == 1 else "rows"
    audit_record(
        actor=actor,
        auth_tenant=auth_tenant,
        action=EXPORT_ACTIONS[sender],
        target_type="export",
        target_label=f"{rows:,} {noun} as {export_format.label}",
        parameters={"format": export_format.value, "filters": filters, "rows": rows},
        outcome=AuditOutcome.SUCCESS if complete else AuditOutcome.PARTIAL,
        message="" if complete else f"The download stopped after {rows:,} {noun}.",
        request=request,
    )
