"""Reads for the Members pages beyond the mirror's own: invitations with tenant names and
counts, a member's invitation ledger, and which member actions the user may take here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from apps.authtenants.scopes import action_gates
from apps.core.capabilities import Capability, can
from apps.directory import invitations
from apps.directory.models import DirectoryTenant, Invitation
from apps.members.models import BulkInvite, BulkInviteRow
from apps.teamsapi.contract import OperationName

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant
    from apps.authtenants.scopes import ScopeGate


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    tenant_names: list[str]


def invitation_rows(
    *, auth_tenant: AuthTenant, invitations: Sequence[Invitation]
) -> list[InvitationRow]:
    """The invitations with their tenants' names from the mirror (one query); unknown ids as is."""
    wanted = {tenant_id for i in invitations for tenant_id in i.tenant_ids}
    names = dict(
        DirectoryTenant.objects.filter(auth_tenant=auth_tenant, tenant_id__in=wanted).values_list(
            "tenant_id", "tenant_name"
        )
    )
    return [InvitationRow(i, sorted(names.get(t) or t for t in i.tenant_ids)) for i in invitations]


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int
    chosen: bool


def state_counts(*, auth_tenant: AuthTenant, chosen: str | None) -> list[StateCount]:
    """Each invitation state with its label and how many are in it (one query)."""
    counts = invitations.state_counts(auth_tenant)
    return [
        StateCount(state, label, counts[state], state == chosen)
        for state, label in Invitation.State.choices
    ]


@dataclass(frozen=True)
class Ledger:
    """A member's invitations (resends included, newest first) and whether they joined on a
    withdrawn one."""

    rows: list[InvitationRow]
    joined_after_withdrawal: Invitation | None


def member_ledger(*, auth_tenant: AuthTenant, email: str) -> Ledger:
    """The invitations sent to this email, for the member's page (two queries)."""
    if not email:
        return Ledger(rows=[], joined_after_withdrawal=None)
    sent = list(invitations.invitations_for_email(auth_tenant, email))
    flagged = next((i for i in sent if i.joined_after_withdrawal), None)
    return Ledger(invitation_rows(auth_tenant=auth_tenant, invitations=sent), flagged)


def tenant_choices(*, auth_tenant: AuthTenant) -> list[tuple[str, str]]:
    """The team's current tenants as (id, name) for the invite form, by name."""
    rows = DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
    return list(rows.order_by("tenant_name", "tenant_id").values_list("tenant_id", "tenant_name"))


@dataclass(frozen=True)
class MemberActions:
    """What the user may do on the Members pages, and why an allowed action is disabled here."""

    can_invite: bool = False
    can_change_role: bool = False
    can_remove: bool = False
    invite_gate: ScopeGate | None = None
    role_gate: ScopeGate | None = None
    remove_gate: ScopeGate | None = None


def member_actions(*, user: Any, auth_tenant: AuthTenant | None) -> MemberActions:
    """The role's member actions; scope gates read (one query) only when the role has some."""
    allowed = MemberActions(
        can_invite=can(user, Capability.INVITE_MEMBER),
        can_change_role=can(user, Capability.CHANGE_MEMBER_ROLE),
        can_remove=can(user, Capability.REMOVE_MEMBER),
    )
    if auth_tenant is None or not (
        allowed.can_invite or allowed.can_change_role or allowed.can_remove
    ):
        return allowed
    gates = action_gates(auth_tenant)
    return replace(
        allowed,
        invite_gate=gates[OperationName.INVITE_MEMBER],
        role_gate=gates[OperationName.UPDATE_MEMBER],
        remove_gate=gates[OperationName.REMOVE_MEMBER],
    )


@dataclass(frozen=True)
class BulkProgress:
    """Where a bulk invite stands: lines per state and how far sending has got."""

    total: int
    refused: int
    ready: int
    sending: int
    sent: int
    failed: int

    @property
    def to_send(self) -> int:
        return self.total - self.refused

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.to_send) if self.to_send else 100


def bulk_invite_progress(*, job: BulkInvite) -> BulkProgress:
    """Count the job's lines per state (one query)."""
    rows = job.rows.order_by().values("state").annotate(n=Count("pk"))
    counts: dict[str, int] = dict(rows.values_list("state", "n"))
    states = BulkInviteRow.State
    return BulkProgress(
        total=sum(counts.values()),
        refused=counts.get(states.INVALID, 0),
        ready=counts.get(states.READY, 0),
        sending=counts.get(states.SENDING, 0),
        sent=counts.get(states.SENT, 0),
        failed=counts.get(states.FAILED, 0),
    )
