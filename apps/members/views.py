"""Members pages: look people up and see which tenants they can access, now and before."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from apps.core.capabilities import Capability, require
from apps.core.htmx import HtmxRequest
from apps.directory import pages, selectors
from apps.members.forms import MemberFilterForm


@require_GET
def member_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    return pages.mirror_list(
        request,
        template="members/member_list.html",
        partial="member-table",
        form=lambda auth_tenant: MemberFilterForm(
            request.GET, roles=selectors.member_roles(auth_tenant=auth_tenant)
        ),
        rows=lambda auth_tenant, filters: selectors.member_search(
            auth_tenant=auth_tenant, **filters
        ),
    )


@require_GET
def member_detail(request: HtmxRequest, member_id: str) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    return pages.mirror_detail(
        request,
        template="members/member_detail.html",
        name="member",
        row=lambda auth_tenant: selectors.member_get(auth_tenant=auth_tenant, member_id=member_id),
        accesses=lambda member: selectors.member_access_history(member=member),
    )
