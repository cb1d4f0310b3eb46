"""The mirror follows dashboard actions: local changes applied right after a successful API call.

Page-app services call these inside the transaction that records the action, so lists show the
change at once; the next directory sync confirms or corrects it. Rows the mirror does not hold
yet (a member who joined since the last sync) are skipped: the sync brings them with their access.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant, Invitation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from apps.authtenants.models import AuthTenant
    from apps.teamsapi import types


def tenant_added(auth_tenant: AuthTenant, tenant: types.Tenant) -> DirectoryTenant:
    """Mirror a tenant the API just created (or revive a removed row with the same id)."""
    values = {
        "tenant_name": tenant.tenant_name,
        "environment": tenant.environment,
        "environment_tag": tenant.environment_tag,
        "domain": tenant.domain,
        "locality": tenant.locality,
        "created_at": tenant.created_at,
        "removed_at": None,
    }
    row, _ = DirectoryTenant.objects.update_or_create(
        auth_tenant=auth_tenant,
        tenant_id=tenant.tenant_id,
        defaults=values,
        create_defaults={**values, "first_seen_at": timezone.now()},
    )
    return row


def tenant_removed(auth_tenant: AuthTenant, tenant_id: str) -> int:
    """Mark the tenant and every current access to it removed now; returns the accesses ended."""
    now = timezone.now()
    DirectoryTenant.objects.filter(
        auth_tenant=auth_tenant, tenant_id=tenant_id, removed_at__isnull=True
    ).update(removed_at=now)
    return _current_access(auth_tenant, tenant__tenant_id=tenant_id).update(removed_at=now)


def member_role_changed(auth_tenant: AuthTenant, member_id: str, role: str) -> int:
    """Set the member's team role; returns 1, or 0 when the mirror does not hold the member."""
    return _current_members(auth_tenant, member_id).update(role=role)


def member_removed(auth_tenant: AuthTenant, member_id: str) -> int:
    """Mark the member and all their current accesses removed now; returns the accesses ended."""
    now = timezone.now()
    _current_members(auth_tenant, member_id).update(removed_at=now)
    return _current_access(auth_tenant, member__member_id=member_id).update(removed_at=now)


def access_granted(
    auth_tenant: AuthTenant, member_id: str, tenant_ids: Iterable[str], roles: Iterable[str]
) -> int:
    """Give the member `roles` on each tenant: a new period, closing the current one if any.

    Pass only the tenants the bulk reply reports as succeeded. Returns the periods opened (none
    where the member already holds exactly these roles).
    """
    member = _current_members(auth_tenant, member_id).first()
    if member is None:
        return 0
    wanted = sorted(set(roles))
    tenants = DirectoryTenant.objects.filter(
        auth_tenant=auth_tenant, tenant_id__in=set(tenant_ids), removed_at__isnull=True
    )
    current = {a.tenant_id: a for a in _current_access(auth_tenant, member=member)}
    now, written = timezone.now(), 0
    for tenant in tenants:
        access = current.get(tenant.pk)
        if access is not None and sorted(access.roles) == wanted:
            continue
        if access is not None:
            # New roles close the period and open the next, as the directory sync does.
            access.removed_at = now
            access.save(update_fields=["removed_at"])
        DirectoryAccess.objects.create(
            auth_tenant=auth_tenant, member=member, tenant=tenant, roles=wanted, first_seen_at=now
        )
        written += 1
    return written


def access_changed(
    auth_tenant: AuthTenant, member_id: str, tenant_ids: Iterable[str], roles: Iterable[str]
) -> int:
    """Replace the member's roles on each tenant (the API replaces them too, §5.1 (7))."""
    return access_granted(auth_tenant, member_id, tenant_ids, roles)


def access_revoked(auth_tenant: AuthTenant, member_id: str, tenant_ids: Iterable[str]) -> int:
    """End the member's current access to each tenant now; returns the accesses ended."""
    return _current_access(
        auth_tenant, member__member_id=member_id, tenant__tenant_id__in=set(tenant_ids)
    ).update(removed_at=timezone.now())


def invitation_recorded(
    auth_tenant: AuthTenant,
    invitation: types.Invitation,
    *,
    invited_by: AbstractBaseUser | None,
    resent_from: Invitation | None = None,
) -> Invitation:
    """Keep the invitation the API just accepted, as pending, with who sent it."""
    return Invitation.objects.create(
        auth_tenant=auth_tenant,
        email=invitation.email,
        team_role=invitation.role,
        tenant_ids=list(invitation.tenant_ids),
        tenant_roles=list(invitation.tenant_roles),
        client_ids=list(invitation.client_ids),
        invited_by_id=invited_by.pk if invited_by is not None else None,
        invited_by_username=invited_by.get_username() if invited_by is not None else "",
        api_invitation_id=invitation.id,
        resent_from=resent_from,
    )


def invitations_accept(auth_tenant: AuthTenant) -> int:
    """Mark invitations accepted whose email is now a current member's; one UPDATE.

    Expired ones count too: the lifetime is a guess, and a person who joined had a valid link.
    """
    return (
        Invitation.objects.filter(
            auth_tenant=auth_tenant,
            state__in=[Invitation.State.PENDING, Invitation.State.EXPIRED],
        )
        .filter(Exists(_joined(auth_tenant)))
        .update(state=Invitation.State.ACCEPTED, accepted_at=timezone.now())
    )


def withdrawn_joined(auth_tenant: AuthTenant) -> list[Invitation]:
    """Note when withdrawn invitations' emails joined anyway; returns those noticed just now.

    Only the newest invitation to an address counts: a later one explains the joining.
    """
    newer = Invitation.objects.annotate(email_lower=Lower("email")).filter(
        auth_tenant=auth_tenant,
        email_lower=Lower(OuterRef("email")),
        invited_at__gt=OuterRef("invited_at"),
    )
    noticed = list(
        Invitation.objects.filter(
            auth_tenant=auth_tenant, state=Invitation.State.WITHDRAWN, accepted_at__isnull=True
        )
        .filter(Exists(_joined(auth_tenant)))
        .exclude(Exists(newer))
    )
    now = timezone.now()
    Invitation.objects.filter(pk__in=[i.pk for i in noticed]).update(accepted_at=now)
    for invitation in noticed:
        invitation.accepted_at = now
    return noticed


def invitation_replaced(invitation: Invitation) -> bool:
    """Mark the invitation replaced by a resend; False when a concurrent resend already did."""
    replaceable = [Invitation.State.PENDING, Invitation.State.EXPIRED, Invitation.State.WITHDRAWN]
    done = Invitation.objects.filter(pk=invitation.pk, state__in=replaceable).update(
        state=Invitation.State.REPLACED
    )
    invitation.state = Invitation.State.REPLACED
    return bool(done)


def invitations_superseded(auth_tenant: AuthTenant, email: str) -> Invitation | None:
    """Mark the email's pending (or expired) invitations replaced: Auth0 replaces a pending
    invitation when the email is invited again (§5.1 (2)). Returns the newest, for the link."""
    waiting = Invitation.objects.annotate(email_lower=Lower("email")).filter(
        auth_tenant=auth_tenant,
        email_lower=email.lower(),
        state__in=[Invitation.State.PENDING, Invitation.State.EXPIRED],
    )
    newest = waiting.order_by("-invited_at", "-pk").first()
    if newest is not None:
        waiting.update(state=Invitation.State.REPLACED)
        newest.state = Invitation.State.REPLACED
    return newest


def invitation_withdrawn(
    invitation: Invitation, *, withdrawn_by: AbstractBaseUser | None, reason: str
) -> Invitation:
    """Mark the invitation withdrawn here, now, by whom and why (Auth0 keeps it valid)."""
    invitation.state = Invitation.State.WITHDRAWN
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by_id = withdrawn_by.pk if withdrawn_by is not None else None
    invitation.withdrawn_by_username = withdrawn_by.get_username() if withdrawn_by else ""
    invitation.withdraw_reason = reason
    invitation.save(
        update_fields=[
            "state",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_by_username",
            "withdraw_reason",
        ]
    )
    return invitation


def invitations_expire(cutoff: datetime) -> int:
    """Store the expired state of every pending invitation sent before `cutoff`; idempotent."""
    return Invitation.objects.filter(state=Invitation.State.PENDING, invited_at__lt=cutoff).update(
        state=Invitation.State.EXPIRED
    )


def _joined(auth_tenant: AuthTenant) -> QuerySet[DirectoryMember]:
    """Current members with the outer invitation's email (case-insensitive, no wildcards)."""
    return DirectoryMember.objects.annotate(email_lower=Lower("email")).filter(
        auth_tenant=auth_tenant, removed_at__isnull=True, email_lower=Lower(OuterRef("email"))
    )


def _current_members(auth_tenant: AuthTenant, member_id: str) -> QuerySet[DirectoryMember]:
    return DirectoryMember.objects.filter(
        auth_tenant=auth_tenant, member_id=member_id, removed_at__isnull=True
    )


def _current_access(auth_tenant: AuthTenant, **lookups: object) -> QuerySet[DirectoryAccess]:
    return DirectoryAccess.objects.filter(
        auth_tenant=auth_tenant, removed_at__isnull=True, **lookups
    )
