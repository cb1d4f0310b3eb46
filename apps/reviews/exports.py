"""What an access review report's export holds: every item, its decision and applied result."""

from __future__ import annotations

from apps.core.exports import Column, Kind
from apps.reviews.models import ApplyState, Decision, ItemKind

COLUMNS = (
    Column("id", "id", Kind.INTEGER),
    Column("kind", "kind", Kind.LABEL, dict(ItemKind.choices)),
    Column("member_email", "member_email"),
    Column("member_id", "member_id"),
    Column("team_role", "team_role"),
    Column("tenant", "tenant_name"),
    Column("tenant_id", "tenant_id"),
    Column("environment_tag", "environment_tag"),
    Column("roles", "roles", Kind.JSON),
    Column("since", "since", Kind.TIMESTAMP),
    Column("last_active", "last_active", Kind.TIMESTAMP),
    Column("reviewer", "reviewer_username"),
    Column("decision", "decision", Kind.LABEL, dict(Decision.choices)),
    Column("reduce_to", "reduce_to", Kind.JSON),
    Column("decided_by", "decided_by_username"),
    Column("decided_at", "decided_at", Kind.TIMESTAMP),
    Column("justification", "justification"),
    Column("applied", "apply_state", Kind.LABEL, dict(ApplyState.choices)),
    Column("applied_result", "apply_result"),
    Column("applied_at", "applied_at", Kind.TIMESTAMP),
)
