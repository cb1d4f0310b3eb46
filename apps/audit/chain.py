"""The dashboard-action archive's hash chain: what of an entry is hashed, linking, verifying.

One chain per Auth Tenant (`chain_key`: its id when the entry was written, 0 for actions
without one), in the order entries were written (apps/core/hashchain.py has the canonical
form). The hashed content is the entry's own snapshot fields; the actor and Auth Tenant
foreign keys are left out because deleting a user or an Auth Tenant clears them.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from apps.audit.models import AuditChainHead, AuditEntry
from apps.authtenants.models import AuthTenant
from apps.core import hashchain
from apps.core.hashchain import ChainReport, Position, Verification

# The model fields hashed, in the order of the canonical form's array.
CONTENT_FIELDS = (
    "chain_key",
    "created_at",
    "actor_username",
    "auth_tenant_name",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "parameters",
    "outcome",
    "message",
    "request_id",
)


def link(entry: AuditEntry) -> None:
    """Give an unsaved entry its place and hash in its chain, and move the chain's head there.

    Call inside the transaction that saves the entry: the head stays locked until it ends.
    """
    entry.chain_key = entry.auth_tenant_id or 0
    # As the row will read back: the JSON column stores dates, UUIDs and decimals as text.
    entry.parameters = json.loads(json.dumps(entry.parameters, cls=DjangoJSONEncoder))
    head = AuditChainHead.locked(chain_key=entry.chain_key)
    content = [getattr(entry, name) for name in CONTENT_FIELDS]
    positions = hashchain.extend(head.position, [content])
    entry.chain_seq, entry.chain_hash = positions[0].seq, positions[0].hash
    head.advance(positions)


def audit_verify(*, chain_key: int) -> Verification:
    """Recompute one dashboard-action chain and report its first break, if any."""
    head = AuditChainHead.objects.filter(chain_key=chain_key).first()
    rows = hashchain.stored_rows(AuditEntry.objects.filter(chain_key=chain_key), CONTENT_FIELDS)
    end = head.position if head is not None else Position()
    return hashchain.verify(rows, start=Position(), end=end)


def chain_reports(auth_tenant_id: int | None) -> list[ChainReport]:
    """The dashboard-action chain of one Auth Tenant, or every chain kept (None).

    Every chain includes those of deleted Auth Tenants and of actions without one.
    """
    if auth_tenant_id is not None:
        keys = [auth_tenant_id]
    else:
        heads = AuditChainHead.objects.values_list("chain_key", flat=True)
        rows = AuditEntry.objects.values_list("chain_key", flat=True).distinct()
        keys = sorted(set(heads) | set(rows))
    names = dict(AuthTenant.objects.filter(pk__in=keys).values_list("pk", "name"))
    return [ChainReport(_label(key, names.get(key)), audit_verify(chain_key=key)) for key in keys]


def _label(chain_key: int, name: str | None) -> str:
    if chain_key == 0:
        return "Dashboard actions without an Auth Tenant"
    if name is None:
        return f"Dashboard actions of a deleted Auth Tenant (id {chain_key})"
    return f"Dashboard actions of {name}"
