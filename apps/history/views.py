"""Pages that show both sides: an Auth0 activity event with the dashboard action that asked for
it, and the Dashboard actions with the events they caused."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.activity.event_page import event_get
from apps.audit.forms import AuditFilterForm
from apps.audit.selectors import audit_entry_get, audit_list
from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, can, require
from apps.core.htmx import HtmxRequest, page_or_partial
from apps.history import selectors


@require_GET
def event_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.VIEW_ACTIVITY)
    event = event_get(pk=pk)
    if event is None:
        raise Http404("No such event in the synced activity log.")
    return render(
        request,
        "activity/event_detail.html",
        {
            "event": event,
            "auth_tenant": event.auth_tenant,
            "page": selectors.event_page(event=event),
        },
    )


@require_GET
def audit_entry_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_AUDIT)
    auth_tenant = auth_tenant_for_request(request)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    # An invalid filter lists nothing (the form shows why) rather than every entry.
    page = audit_list(auth_tenant=auth_tenant, **filters) if filters is not None else None
    return render(
        request,
        page_or_partial(request, "audit/auditentry_list.html", "audit-table"),
        {
            "auth_tenant": auth_tenant,
            "form": form,
            "page": page,
            "rows": selectors.audit_rows(auth_tenant=auth_tenant, page=page),
            "can_export": can(request.user, Capability.EXPORT_AUDIT),
        },
    )


@require_GET
def audit_entry_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.VIEW_AUDIT)
    entry = audit_entry_get(pk=pk)
    if entry is None:
        raise Http404("No such dashboard action.")
    return render(
        request,
        "audit/auditentry_detail.html",
        {
            "entry": entry,
            "auth_tenant": entry.auth_tenant,
            "page": selectors.entry_page(entry=entry),
        },
    )
