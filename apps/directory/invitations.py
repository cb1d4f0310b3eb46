"""Reads of the invitations sent from Teams Admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from apps.directory.models import Invitation

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant


def invitation_list(
    auth_tenant: AuthTenant, state: Invitation.State | str | None = None
) -> QuerySet[Invitation]:
    """The Auth Tenant's invitations, newest first; only those in `state` when given."""
    invitations = Invitation.objects.filter(auth_tenant=auth_tenant)
    if state:
        invitations = invitations.filter(state=state)
    return invitations.order_by("-invited_at", "-pk")
