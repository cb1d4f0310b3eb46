"""Activity pages for auditors: browse, filter and search the synced log, export it as CSV, and
verify the archive's hash chains."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.activity import selectors
from apps.activity.exports import activity_export_rows, csv_lines
from apps.activity.forms import ActivityFilterForm
from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, can, require
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


@require_GET
def event_export(request: HtmxRequest) -> HttpResponseBase:
    require(request.user, Capability.EXPORT_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = ActivityFilterForm(request.GET)
    filters = form.filters()
    if auth_tenant is None or filters is None:
        # Nothing to export or filters that would silently widen the export: say so instead.
        reason = (
            "no Auth Tenant is configured" if auth_tenant is None else "the filters are not valid"
        )
        return render(
            request, "activity/export_refused.html", {"reason": reason, "form": form}, status=400
        )
    events = selectors.activity_list(auth_tenant=auth_tenant, filters=filters)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        csv_lines(activity_export_rows(events)), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="activity-{auth_tenant.team_slug}-{stamp}.csv"'
    )
    return response


@require_http_methods(["GET", "POST"])
def archive_verify(request: HtmxRequest) -> HttpResponse:
    """GET: the page and its button. POST: recompute the chains and show the result.

    A POST although it changes nothing: it reads every stored row, which no prefetch or
    crawler should start.
    """
    require(request.user, Capability.VERIFY_ARCHIVE)
    auth_tenant = auth_tenant_for_request(request)
    reports = None
    if request.method == "POST" and auth_tenant is not None:
        reports = selectors.archive_verify(auth_tenant=auth_tenant)
    return render(
        request,
        page_or_partial(request, "activity/verify.html", "verify-result"),
        {
            "auth_tenant": auth_tenant,
            "reports": reports,
            "broken": reports is not None and any(not r.verification.ok for r in reports),
            "head": selectors.archive_head(auth_tenant=auth_tenant) if auth_tenant else "",
        },
    )
