"""Tenants pages: browse the team's tenants and who can access each one."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, require
from apps.core.htmx import HtmxRequest, is_partial
from apps.directory import selectors as directory
from apps.tenants import selectors
from apps.tenants.forms import TenantFilterForm


@require_GET
def tenant_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_TENANTS)
    auth_tenant = auth_tenant_for_request(request)
    environments = selectors.tenant_environments(auth_tenant=auth_tenant) if auth_tenant else []
    form = TenantFilterForm(request.GET, environments=environments)
    tenants = (
        list(selectors.tenant_list(auth_tenant=auth_tenant, filters=form.filters()))
        if auth_tenant
        else []
    )
    template = "tenants/tenant_list.html"
    if is_partial(request):
        template += "#tenant-table"
    return render(
        request,
        template,
        {
            "auth_tenant": auth_tenant,
            "form": form,
            "tenants": tenants,
            "snapshot": directory.snapshot_latest(auth_tenant=auth_tenant) if auth_tenant else None,
        },
    )


@require_GET
def tenant_detail(request: HtmxRequest, tenant_id: str) -> HttpResponse:
    require(request.user, Capability.VIEW_TENANTS)
    auth_tenant = auth_tenant_for_request(request)
    tenant = (
        selectors.tenant_get(auth_tenant=auth_tenant, tenant_id=tenant_id) if auth_tenant else None
    )
    if auth_tenant is None or tenant is None:
        raise Http404("No such tenant in this team's directory.")
    accesses = list(selectors.tenant_access_list(tenant=tenant))
    return render(
        request,
        "tenants/tenant_detail.html",
        {
            "auth_tenant": auth_tenant,
            "tenant": tenant,
            "current": [a for a in accesses if a.removed_at is None],
            "past": [a for a in accesses if a.removed_at is not None],
            "snapshot": directory.snapshot_latest(auth_tenant=auth_tenant),
        },
    )
