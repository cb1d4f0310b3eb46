"""Members pages: look people up and see which tenants they can access, now and before."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, require
from apps.core.htmx import HtmxRequest, is_partial
from apps.directory import selectors as directory
from apps.members import selectors
from apps.members.forms import MemberFilterForm

PAGE_SIZE = 50


@require_GET
def member_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    auth_tenant = auth_tenant_for_request(request)
    roles = selectors.member_roles(auth_tenant=auth_tenant) if auth_tenant else []
    form = MemberFilterForm(request.GET, roles=roles)
    page = None
    if auth_tenant:
        members = selectors.member_search(auth_tenant=auth_tenant, filters=form.filters())
        page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "members/member_list.html"
    if is_partial(request):
        template += "#member-table"
    return render(
        request,
        template,
        {
            "auth_tenant": auth_tenant,
            "form": form,
            "page_obj": page,
            "snapshot": directory.snapshot_latest(auth_tenant=auth_tenant) if auth_tenant else None,
        },
    )


@require_GET
def member_detail(request: HtmxRequest, member_id: str) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    auth_tenant = auth_tenant_for_request(request)
    member = (
        selectors.member_get(auth_tenant=auth_tenant, member_id=member_id) if auth_tenant else None
    )
    if auth_tenant is None or member is None:
        raise Http404("No such member in this team's directory.")
    accesses = list(selectors.member_access_history(member=member))
    return render(
        request,
        "members/member_detail.html",
        {
            "auth_tenant": auth_tenant,
            "member": member,
            "current": [a for a in accesses if a.removed_at is None],
            "past": [a for a in accesses if a.removed_at is not None],
            "snapshot": directory.snapshot_latest(auth_tenant=auth_tenant),
        },
    )
