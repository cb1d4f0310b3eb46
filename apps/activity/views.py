"""Activity pages for auditors: browse, filter and search the synced log, and export it as CSV."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.activity import selectors
from apps.activity.exports import activity_export_rows, csv_lines
from apps.activity.forms import ActivityFilterForm
from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, can, require
from apps.core.htmx import HtmxRequest, is_partial
from apps.sync import selectors as sync_selectors
from apps.sync.models import SyncKind

PAGE_SIZE = 50


@require_GET
def event_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = ActivityFilterForm(request.GET)
    page, activity_status = None, None
    if auth_tenant:
        events = selectors.activity_list(auth_tenant=auth_tenant, filters=form.filters())
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        status = sync_selectors.sync_status_get(auth_tenant=auth_tenant)
        activity_status = next((k for k in status.kinds if k.kind == SyncKind.ACTIVITY), None)
    template = "activity/event_list.html"
    if is_partial(request):
        template += "#event-table"
    return render(
        request,
        template,
        {
            "auth_tenant": auth_tenant,
            "form": form,
            "page_obj": page,
            "activity_status": activity_status,
            "query": request.GET.urlencode(),
            "can_export": can(request.user, Capability.EXPORT_ACTIVITY),
        },
    )


@require_GET
def event_export(request: HtmxRequest) -> HttpResponseBase:
    require(request.user, Capability.EXPORT_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = ActivityFilterForm(request.GET)
    if auth_tenant is None or not form.is_valid():
        # Nothing to export or filters that would silently widen the export: say so instead.
        reason = (
            "no Auth Tenant is configured" if auth_tenant is None else "the filters are not valid"
        )
        return render(
            request, "activity/export_refused.html", {"reason": reason, "form": form}, status=400
        )
    events = selectors.activity_list(auth_tenant=auth_tenant, filters=form.filters())
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        csv_lines(activity_export_rows(events)), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="activity-{auth_tenant.team_slug}-{stamp}.csv"'
    )
    return response
