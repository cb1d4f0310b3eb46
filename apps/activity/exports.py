"""What an activity export holds: its columns, in order, and the archive chain head it carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.core.exports import Column, Kind

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

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
CHAIN_HEAD_HEADER = "X-Archive-Chain-Head"


def archive_chain_head(auth_tenant: AuthTenant) -> str | None:
    """The head of the Auth Tenant's event hash chain, sent as CHAIN_HEAD_HEADER with every
    activity export so an archive can be checked later; None while events carry no chain."""
    return None
