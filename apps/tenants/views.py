"""Tenants pages: browse the team's tenants and who can access each one."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from apps.core.capabilities import Capability, require
from apps.core.htmx import HtmxRequest
from apps.directory import pages, selectors
from apps.tenants.forms import TenantFilterForm


@require_GET
def tenant_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_TENANTS)
    return pages.mirror_list(
        request,
        template="tenants/tenant_list.html",
        partial="tenant-table",
        form=lambda auth_tenant: TenantFilterForm(
            request.GET, environments=selectors.tenant_environments(auth_tenant=auth_tenant)
        ),
        rows=lambda auth_tenant, filters: selectors.tenant_list(auth_tenant=auth_tenant, **filters),
    )


@require_GET
def tenant_detail(request: HtmxRequest, tenant_id: str) -> HttpResponse:
    require(request.user, Capability.VIEW_TENANTS)
    return pages.mirror_detail(
        request,
        template="tenants/tenant_detail.html",
        name="tenant",
        row=lambda auth_tenant: selectors.tenant_get(auth_tenant=auth_tenant, tenant_id=tenant_id),
        accesses=lambda tenant: selectors.tenant_access_list(tenant=tenant),
    )
