"""The Dashboard actions page: what people did to the team through Teams Admin."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.audit.forms import AuditFilterForm
from apps.audit.selectors import audit_list
from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, require
from apps.core.htmx import HtmxRequest, is_partial


@require_GET
def audit_entry_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_AUDIT)
    auth_tenant = auth_tenant_for_request(request)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    # An invalid filter lists nothing (the form shows why) rather than every entry.
    page = audit_list(auth_tenant=auth_tenant, **filters) if filters is not None else None
    template = "audit/auditentry_list.html"
    if is_partial(request):
        template += "#audit-table"
    return render(request, template, {"auth_tenant": auth_tenant, "form": form, "page": page})
