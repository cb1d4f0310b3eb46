"""Activity pages for auditors: browse, filter and search the synced log, export what they see,
and verify the archive's hash chains."""

from __future__ import annotations

from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.activity import charts, selectors
from apps.activity.exports import CHAIN_HEAD_HEADER, COLUMNS
from apps.activity.forms import ActivityFilterForm
from apps.activity.selectors import Cursor, InvalidCursor
from apps.authtenants.current import QUERY_PARAM, auth_tenant_for_request, enabled_auth_tenants
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Capability, can, require
from apps.core.exports import (
    ExportFormatForm,
    ExportRequest,
    export_needs_post,
    export_refused,
    export_response,
    filters_applied,
)
from apps.core.htmx import HtmxRequest, page_or_partial
from apps.sync import selectors as sync_selectors
from apps.sync.models import SyncKind

BAD_CURSOR = (
    "This page link is not valid (it was changed or cut short), so nothing is listed. "
    "Start again from the newest events."
)


def _filter_form(
    request: HtmxRequest, auth_tenant: AuthTenant | None, source: QueryDict | None = None
) -> ActivityFilterForm:
    """The filters from the query string (or an export's POST); the team picker shows the current
    team when none is named."""
    data = (request.GET if source is None else source).copy()
    if auth_tenant is not None and not data.get(QUERY_PARAM):
        data[QUERY_PARAM] = str(auth_tenant.pk)
    return ActivityFilterForm(data, auth_tenants=enabled_auth_tenants(request), current=auth_tenant)


def _cursors(request: HtmxRequest) -> tuple[Cursor | None, Cursor | None]:
    """?before= and ?after= as cursors; raises InvalidCursor for a link this page did not write."""
    before, after = request.GET.get("before"), request.GET.get("after")
    return (
        Cursor.decode(before) if before else None,
        Cursor.decode(after) if after else None,
    )


@require_GET
def event_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = _filter_form(request, auth_tenant)
    page, activity_status, cursor_error = None, None, ""
    if auth_tenant:
        filters = form.filters()
        try:
            before, after = _cursors(request)
        except InvalidCursor:
            cursor_error = BAD_CURSOR
        if filters is not None and not cursor_error:
            page = selectors.activity_page(
                auth_tenant=auth_tenant, filters=filters, before=before, after=after
            )
        activity_status = sync_selectors.sync_kind_status(
            auth_tenant=auth_tenant, kind=SyncKind.ACTIVITY
        )
    return render(
        request,
        page_or_partial(request, "activity/event_list.html", "event-table"),
        {
            "auth_tenant": auth_tenant,
            "form": form,
            "page": page,
            "cursor_error": cursor_error,
            "activity_status": activity_status,
            "query": _filter_query(request),
            "can_export": can(request.user, Capability.EXPORT_ACTIVITY),
            "can_verify": can(request.user, Capability.VERIFY_ARCHIVE),
        },
    )


def _filter_query(request: HtmxRequest) -> str:
    """The filters of the query string without the page position (the chart covers every page)."""
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    return query.urlencode()


@require_GET
def event_chart(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = _filter_form(request, auth_tenant)
    filters = form.filters() if auth_tenant else None
    chart = None
    if auth_tenant is not None and filters is not None:
        chart = charts.day_chart(auth_tenant=auth_tenant, filters=filters)
    return render(
        request,
        page_or_partial(request, "activity/event_chart.html", "event-chart"),
        {"auth_tenant": auth_tenant, "form": form, "chart": chart, "query": _filter_query(request)},
    )


@require_http_methods(["GET", "POST"])
def event_export(request: HtmxRequest) -> HttpResponseBase:
    title, back = "Export activity", (reverse("activity:list"), "the activity log")
    if request.method != "POST":
        return export_needs_post(request, title=title, back=back)
    require(request.user, Capability.EXPORT_ACTIVITY)
    auth_tenant = auth_tenant_for_request(request)
    form = _filter_form(request, auth_tenant, request.POST)
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
    chain_head = selectors.archive_head(auth_tenant=auth_tenant)
    export = ExportRequest(
        request=request,
        queryset=selectors.activity_list(auth_tenant=auth_tenant, filters=filters),
        columns=COLUMNS,
        export_format=export_format,
        name="activity",
        filename_stem=f"activity-{auth_tenant.team_slug}",
        auth_tenant=auth_tenant,
        # The team is the entry's own Auth Tenant; the filters record what narrowed it.
        filters=filters_applied(form, leave_out=[QUERY_PARAM]),
    )
    return export_response(export, headers={CHAIN_HEAD_HEADER: chain_head})


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
