"""`{% joined_after_withdrawal as joined %}`: for the Overview, the current members who joined on
an invitation withdrawn here, shown to those who may remove them."""

from __future__ import annotations

from django import template

from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, can
from apps.directory.invitations import members_joined_after_withdrawal
from apps.directory.models import DirectoryMember

register = template.Library()

# The notice names a few people; the Members page has the rest.
NOTICE_NAMES = 5


@register.simple_tag(takes_context=True)
def joined_after_withdrawal(context: template.Context) -> list[DirectoryMember]:
    request = context.get("request")
    if request is None or not can(request.user, Capability.REMOVE_MEMBER):
        return []
    auth_tenant = auth_tenant_for_request(request)
    if auth_tenant is None:
        return []
    return list(members_joined_after_withdrawal(auth_tenant)[: NOTICE_NAMES + 1])
