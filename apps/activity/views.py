"""Activity pages for auditors: browse, filter and search the synced log, and export what they see."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.activity import selectors
from apps.activity.exports import CHAIN_HEAD_HEADER, COLUMNS, archive_chain_head
from apps.activity.forms import ActivityFilterForm
from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, can, require
from apps.core.exports import (
    ExportFormatForm,
    ExportRequest,
    export_needs_post,
    export_refused,
    export_response,
    filters_applied,
)
from apps.core.filters import page_of
from apps.core.htmx import HtmxRequest, page_or_partial
from apps.sync import selectors as sync_selectors
from apps.sync.models import SyncKind
from apps.teamsapi.contract import PAGE_SIZE_MAX


@require_GET
def event_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = ActivityFilterForm(request.GET)
    page, activity_status = None, None
    if auth_tenant:
        filters = form.filters()
        events = (
            None
            if filters is None
            else selectors.activity_list(auth_tenant=auth_tenant, filters=filters)
        )
        page = page_of(request, events, per_page=PAGE_SIZE_MAX)
        status = sync_selectors.sync_status_get(auth_tenant=auth_tenant)
        activity_status = next((k for k in status.kinds if k.kind == SyncKind.ACTIVITY), None)
    return render(
        request,
        page_or_partial(request, "activity/event_list.html", "event-table"),
        {
            "auth_tenant": auth_tenant,
            "form": form,
            "page_obj": page,
            "activity_status": activity_status,
            "query": request.GET.urlencode(),
            "can_export": can(request.user, Capability.EXPORT_ACTIVITY),
        },
    )


@require_http_methods(["GET", "POST"])
def event_export(request: HtmxRequest) -> HttpResponseBase:
    title, back = "Export activity", (reverse("activity:list"), "the activity log")
    if request.method != "POST":
        return export_needs_post(request, title=title, back=back)
    require(request.user, Capability.EXPORT_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = ActivityFilterForm(request.POST)
    filters, export_format = form.filters(), ExportFormatForm(request.POST).export_format_or_none()
    if auth_tenant is None or filters is None or export_format is None:
        # Nothing to export or filters that would silently widen the export: say so instead.
        reason = (
            "no Auth Tenant is configured"
            if auth_tenant is None
            else "the filters are not valid"
            if filters is None
            else "the format is not one offered"
        )
        return export_refused(request, title=title, reason=reason, back=back, form=form)
    chain_head = archive_chain_head(auth_tenant)
    export = ExportRequest(
        request=request,
        queryset=selectors.activity_list(auth_tenant=auth_tenant, filters=filters),
        columns=COLUMNS,
        export_format=export_format,
        name="activity",
        filename_stem=f"activity-{auth_tenant.team_slug}",
        auth_tenant=auth_tenant,
        filters=filters_applied(form),
    )
    return export_response(export, headers={CHAIN_HEAD_HEADER: chain_head} if chain_head else None)
