"""Members writes: invite, resend or withdraw an invitation, change a team role, remove a member.

Each service checks the actor's capability and the Auth Tenant's scopes itself, refuses what
the contract or the last-owner rule forbids before calling the API, records the action, and
lets the mirror follow a success at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.authtenants.connection import teams_client
from apps.authtenants.refusals import plain_refusal
from apps.authtenants.scopes import require_scope
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.directory import follow, selectors
from apps.directory.models import Invitation
from apps.members import rules
from apps.teamsapi.contract import OperationName, TeamRole, role_label
from apps.teamsapi.errors import (
    TeamsApiError,
    TeamsApiNotFound,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

    from apps.audit.services import AuditTrail
    from apps.authtenants.models import AuthTenant
    from apps.directory.models import DirectoryMember

ALREADY_MEMBER = "Already a member of this team; change their team role on their member page."
LAST_OWNER = (
    "{name} is the team's last owner: make someone else a Team owner first, "
    "so the team is never left without one."
)
MEMBER_GONE = (
    "Auth0 no longer has this member in the team; the next directory sync removes them here."
)
TENANT_GONE = "A picked tenant no longer exists in Auth0; reload the page to see current tenants."
# API request fields -> invite form fields (§6 InviteMembersRequestContent).
_FIELDS = {
    "email": "email",
    "role": "role",
    "tenant_ids": "tenants",
    "tenant_roles": "tenant_roles",
    "client_ids": "client_ids",
}


@dataclass(frozen=True)
class InviteRequest:
    email: str
    role: str
    tenant_ids: list[str] = field(default_factory=list)
    tenant_roles: list[str] = field(default_factory=list)
    client_ids: list[str] = field(default_factory=list)


def _plain(error: TeamsApiError, *, not_found: str) -> ServiceError:
    """The API's refusal in words a person can act on, on the form field it concerns."""
    if error.code == "MEMBER_ALREADY_EXISTS":
        return ServiceError(ALREADY_MEMBER, field_errors={"email": [ALREADY_MEMBER]})
    if error.code == "TENANT_NOT_FOUND":
        return ServiceError(TENANT_GONE, field_errors={"tenants": [TENANT_GONE]})
    if isinstance(error, TeamsApiNotFound):
        return ServiceError(not_found)
    return plain_refusal(error, fields=_FIELDS)


@contextmanager
def _api_errors(*, not_found: str = MEMBER_GONE) -> Iterator[None]:
    try:
        yield
    except TeamsApiError as error:
        raise _plain(error, not_found=not_found) from error


def _current_member(auth_tenant: AuthTenant, member_id: str) -> DirectoryMember:
    member = selectors.member_get(auth_tenant=auth_tenant, member_id=member_id)
    if member is None or member.removed_at is not None:
        raise ServiceError("This person is not a member of the team (any more).")
    return member


def is_last_owner(auth_tenant: AuthTenant, member: DirectoryMember) -> bool:
    """True when the mirror knows no other current Team owner than this member."""
    if member.role != TeamRole.OWNER:
        return False
    owners = selectors.member_list(auth_tenant=auth_tenant).filter(role=TeamRole.OWNER)
    return not owners.exclude(pk=member.pk).exists()


def _refuse_last_owner(auth_tenant: AuthTenant, member: DirectoryMember) -> None:
    if is_last_owner(auth_tenant, member):
        raise ServiceError(LAST_OWNER.format(name=member.name or member.email))


def _last_owner_from_api(error: ServiceError, member: DirectoryMember) -> ServiceError:
    if isinstance(error.__cause__, TeamsApiError) and error.__cause__.code == "LAST_OWNER":
        return ServiceError(LAST_OWNER.format(name=member.name or member.email))
    return error


def member_invite(
    *,
    actor: AbstractBaseUser,
    auth_tenant: AuthTenant,
    invite: InviteRequest,
    request: HttpRequest | None = None,
    on_recorded: Callable[[Invitation], object] | None = None,
) -> Invitation:
    """Invite someone to the team; keeps the invitation locally as pending.

    `on_recorded` runs in the transaction that keeps the invitation and its audit entry (a bulk
    invite marks its row sent there, so the two never disagree after a crash).
    """
    return _send_invitation(
        actor=actor,
        auth_tenant=auth_tenant,
        invite=invite,
        action=AuditAction.MEMBER_INVITE,
        request=request,
        on_recorded=on_recorded,
    )


def _send_invitation(
    *,
    actor: AbstractBaseUser,
    auth_tenant: AuthTenant,
    invite: InviteRequest,
    action: AuditAction,
    request: HttpRequest | None,
    replaces: Invitation | None = None,
    on_recorded: Callable[[Invitation], object] | None = None,
) -> Invitation:
    """The one invite path: rules, one API call, the new invitation kept, the one it replaces
    (a resend) marked so, all recorded as `action`."""
    require(actor, Capability.INVITE_MEMBER)
    require_scope(auth_tenant, OperationName.INVITE_MEMBER)
    problems = rules.invite_problems(
        tenant_ids=invite.tenant_ids, tenant_roles=invite.tenant_roles, client_ids=invite.client_ids
    )
    if problems:
        first = next(iter(problems.values()))[0]
        raise ServiceError(first, field_errors=problems)
    members = selectors.member_list(auth_tenant=auth_tenant)
    if members.filter(email__iexact=invite.email).exists():
        raise ServiceError(ALREADY_MEMBER, field_errors={"email": [ALREADY_MEMBER]})
    parameters: dict[str, object] = dict(asdict(invite))
    if replaces is not None:
        parameters["replaces"] = replaces.api_invitation_id
    with (
        _api_errors(not_found=TENANT_GONE),
        audited(
            actor=actor,
            auth_tenant=auth_tenant,
            action=action,
            target_type="invitation",
            target_label=invite.email,
            parameters=parameters,
            request=request,
        ) as trail,
    ):
        with teams_client(auth_tenant) as client:
            sent = client.invite_member(
                email=invite.email,
                role=invite.role,
                tenant_ids=invite.tenant_ids,
                tenant_roles=invite.tenant_roles,
                client_ids=invite.client_ids,
            )
        trail.target_id = sent.id
        with trail.atomic():
            if replaces is not None:
                follow.invitation_replaced(replaces)
            superseded = follow.invitations_superseded(auth_tenant, invite.email)
            invitation = follow.invitation_recorded(
                auth_tenant, sent, invited_by=actor, resent_from=replaces or superseded
            )
            if on_recorded is not None:
                on_recorded(invitation)
            return invitation


# The states an invitation may be resent or withdrawn from; accepted and replaced ones are done.
OPEN_STATES: tuple[str, ...] = (
    Invitation.State.PENDING,
    Invitation.State.EXPIRED,
    Invitation.State.WITHDRAWN,
)
ALREADY_ACCEPTED = "{email} already accepted this invitation and is a member of the team."
ALREADY_REPLACED = (
    "This invitation was already replaced by a resend; act on the newest invitation to {email}."
)
CANNOT_REVOKE = (
    "Auth0 cannot revoke an invitation: the emailed link stays valid until it expires. "
    "Teams Admin marks it withdrawn and flags the person if they join anyway."
)


def _refuse_closed(invitation: Invitation) -> None:
    if invitation.state == Invitation.State.ACCEPTED:
        raise ServiceError(ALREADY_ACCEPTED.format(email=invitation.email))
    if invitation.state not in OPEN_STATES:
        raise ServiceError(ALREADY_REPLACED.format(email=invitation.email))


def invitation_resend(
    *, actor: AbstractBaseUser, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """Send the invitation again with the same parameters; the new one replaces it.

    Auth0 replaces a pending invitation to the same email (§5.1 (2)), so the old link stops
    working; a withdrawn or expired invitation may be resent too.
    """
    require(actor, Capability.INVITE_MEMBER)
    _refuse_closed(invitation)
    return _send_invitation(
        actor=actor,
        auth_tenant=invitation.auth_tenant,
        invite=InviteRequest(
            email=invitation.email,
            role=invitation.team_role,
            tenant_ids=list(invitation.tenant_ids),
            tenant_roles=list(invitation.tenant_roles),
            client_ids=list(invitation.client_ids),
        ),
        action=AuditAction.INVITATION_RESEND,
        request=request,
        replaces=invitation,
    )


def invitation_withdraw(
    *,
    actor: AbstractBaseUser,
    invitation: Invitation,
    request: HttpRequest | None = None,
    reason: str = "",
) -> Invitation:
    """Mark the invitation withdrawn here; whoever may invite may withdraw.

    Auth0 has no way to revoke it (§5.1 (2)), so nothing is sent: the person can still join, and
    the directory sync then flags them for owners. Withdrawing twice changes nothing.
    """
    require(actor, Capability.INVITE_MEMBER)
    if invitation.state == Invitation.State.WITHDRAWN:
        return invitation
    _refuse_closed(invitation)
    with audited(
        actor=actor,
        auth_tenant=invitation.auth_tenant,
        action=AuditAction.INVITATION_WITHDRAW,
        target_type="invitation",
        target_id=invitation.api_invitation_id,
        target_label=invitation.email,
        parameters={"reason": reason, "state": invitation.state},
        request=request,
    ) as trail:
        trail.message = CANNOT_REVOKE
        with trail.atomic():
            return follow.invitation_withdrawn(invitation, withdrawn_by=actor, reason=reason)


def _member_for(
    actor: AbstractBaseUser,
    auth_tenant: AuthTenant,
    member_id: str,
    capability: Capability,
    operation: OperationName,
) -> DirectoryMember:
    """The current member an owner action is about, once the actor and the scopes allow it."""
    require(actor, capability)
    require_scope(auth_tenant, operation)
    return _current_member(auth_tenant, member_id)


@contextmanager
def _member_call(
    *,
    actor: AbstractBaseUser,
    auth_tenant: AuthTenant,
    member: DirectoryMember,
    action: AuditAction,
    parameters: dict[str, Any],
    request: HttpRequest | None,
) -> Iterator[AuditTrail]:
    """An audited API call about one member; API errors come out in plain words."""
    try:
        with (
            _api_errors(),
            audited(
                actor=actor,
                auth_tenant=auth_tenant,
                action=action,
                target_type="member",
                target_id=member.member_id,
                target_label=member.email,
                parameters=parameters,
                request=request,
            ) as trail,
        ):
            yield trail
    except ServiceError as error:
        raise _last_owner_from_api(error, member) from error.__cause__


def member_role_change(
    *,
    actor: AbstractBaseUser,
    auth_tenant: AuthTenant,
    member_id: str,
    role: str,
    request: HttpRequest | None = None,
    audit_context: Mapping[str, Any] | None = None,
) -> DirectoryMember:
    """Change a member's team role; owners only, never demoting the last Team owner.
    `audit_context` adds to the audit entry's parameters (an access review names itself)."""
    member = _member_for(
        actor, auth_tenant, member_id, Capability.CHANGE_MEMBER_ROLE, OperationName.UPDATE_MEMBER
    )
    if role == member.role:
        message = f"{member.email} already is a {role_label(role)}; pick another role."
        raise ServiceError(message, field_errors={"role": [message]})
    if role != TeamRole.OWNER:
        _refuse_last_owner(auth_tenant, member)
    parameters = {"from_role": member.role, "role": role, **(audit_context or {})}
    with _member_call(
        actor=actor,
        auth_tenant=auth_tenant,
        member=member,
        action=AuditAction.MEMBER_ROLE_CHANGE,
        parameters=parameters,
        request=request,
    ) as trail:
        with teams_client(auth_tenant) as client:
            updated = client.update_member(member_id, role=role)
        with trail.atomic():
            follow.member_role_changed(auth_tenant, member_id, updated.role or role)
    member.role = updated.role or role
    return member


@dataclass(frozen=True)
class Removal:
    member: DirectoryMember
    accesses_ended: int
    already_gone: bool


def member_remove(
    *,
    actor: AbstractBaseUser,
    auth_tenant: AuthTenant,
    member_id: str,
    request: HttpRequest | None = None,
    audit_context: Mapping[str, Any] | None = None,
) -> Removal:
    """Remove a member from the team and so from every tenant; never the last Team owner.

    A member Auth0 no longer has (removed elsewhere, or a second click) counts as removed.
    """
    member = _member_for(
        actor, auth_tenant, member_id, Capability.REMOVE_MEMBER, OperationName.REMOVE_MEMBER
    )
    _refuse_last_owner(auth_tenant, member)
    already_gone = False
    with _member_call(
        actor=actor,
        auth_tenant=auth_tenant,
        member=member,
        action=AuditAction.MEMBER_REMOVE,
        parameters={"role": member.role, **(audit_context or {})},
        request=request,
    ) as trail:
        with teams_client(auth_tenant) as client:
            try:
                client.remove_member(member_id)
            except TeamsApiNotFound:
                already_gone = True
                trail.message = "Auth0 no longer had this member; removed here too."
        with trail.atomic():
            ended = follow.member_removed(auth_tenant, member_id)
    return Removal(member=member, accesses_ended=ended, already_gone=already_gone)
