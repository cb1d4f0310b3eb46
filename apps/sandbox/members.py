"""Member and invitation rules shared by the API handlers, the controls and the seeder."""

from __future__ import annotations

import secrets

from django.db import transaction

from apps.sandbox import contract
from apps.sandbox.models import SandboxInvitation, SandboxMember, SandboxTenant, SandboxTenantRole


def new_user_id() -> str:
    return contract.USER_ID_PREFIX + secrets.token_hex(12)


def names_from_email(email: str) -> tuple[str, str, str, str]:
    """(name, given_name, family_name, nickname) guessed from the local part of an email."""
    local = email.split("@", 1)[0]
    parts = [p for p in local.replace("_", ".").replace("-", ".").split(".") if p]
    given = parts[0].capitalize() if parts else ""
    family = parts[-1].capitalize() if len(parts) > 1 else ""
    name = " ".join(p for p in (given, family) if p) or local
    return name, given, family, local


def grant(
    member: SandboxMember, tenant: SandboxTenant, roles: list[str], client_ids: list[str]
) -> None:
    """Give member each role on tenant; client ids are kept only on editor-specific-apps."""
    for role in roles:
        ids = client_ids if role == contract.SPECIFIC_APPS_ROLE else []
        SandboxTenantRole.objects.update_or_create(
            member=member, tenant=tenant, role=role, defaults={"client_ids": ids}
        )


@transaction.atomic
def accept_invitation_row(invitation: SandboxInvitation) -> SandboxMember:
    """Turn a pending invitation into a member with an Auth0 user id and its tenant roles."""
    team = invitation.team
    member = SandboxMember.objects.filter(team=team, email__iexact=invitation.email).first()
    if member is None:
        name, given, family, nickname = names_from_email(invitation.email)
        member = SandboxMember.objects.create(
            team=team,
            member_id=new_user_id(),
            name=name,
            given_name=given,
            family_name=family,
            nickname=nickname,
            email=invitation.email,
            role=invitation.role,
        )
    tenants = SandboxTenant.objects.filter(team=team, tenant_id__in=invitation.tenant_ids)
    for tenant in tenants:
        grant(member, tenant, list(invitation.tenant_roles), list(invitation.client_ids))
    invitation.delete()
    return member


def member_json(member: SandboxMember) -> dict[str, str]:
    return {
        "id": member.member_id,
        "name": member.name,
        "given_name": member.given_name,
        "family_name": member.family_name,
        "nickname": member.nickname,
        "email": member.email,
        "role": member.role,
    }
