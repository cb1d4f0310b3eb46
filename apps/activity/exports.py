"""What an activity export holds: its columns, in order, and the archive chain head it carries."""

from __future__ import annotations

from apps.core.exports import Column, Kind

COLUMNS = (
    Column("created_at", "created_at", Kind.TIMESTAMP),
    Column("id", "external_id"),
    Column("type", "type"),
    Column("status", "status"),
    Column("current_event", "current_event"),
    Column("actor_type", "actor_type"),
    Column("actor_id", "actor_id"),
    Column("actor_name", "actor_name"),
    Column("ip", "ip"),
    Column("hostname", "hostname"),
    Column("user_agent", "user_agent"),
    Column("details", "details", Kind.JSON),
)
# The hash of the Auth Tenant's newest stored event when the export began: a later export, or
# `verify_archive`, shows whether the rows up to it were changed since.
CHAIN_HEAD_HEADER = "X-Archive-Chain-Head"
