"""Access history for auditors and support: who had access on a date, what changed between two
dates (for a tenant, a member or the whole team), and each as CSV from the same query string."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.access import exports
from apps.access.history_forms import AsOfForm, ChangesForm, HistoryFilters
from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Capability, require
from apps.core.htmx import HtmxRequest, page_or_partial
from apps.directory import history
from apps.teamsapi.contract import PAGE_SIZE_MAX

Rows = QuerySet[Any] | list[Any]


@dataclass(frozen=True)
class _History:
    """One history page: its filters, what it lists, and how that is written as CSV."""

    form: type[AsOfForm] | type[ChangesForm]
    template: str
    partial: str
    rows: Callable[[AuthTenant, HistoryFilters], Rows]
    csv_rows: Callable[[Any], Iterator[list[str]]]
    filename: str


AS_OF = _History(
    AsOfForm,
    "access/access_as_of.html",
    "as-of-table",
    lambda auth_tenant, f: history.access_during(
        auth_tenant=auth_tenant, window=f.window, scope=f.scope
    ),
    exports.as_of_rows,
    "access-as-of",
)
CHANGES = _History(
    ChangesForm,
    "access/access_changes.html",
    "changes-table",
    lambda auth_tenant, f: history.access_changes(
        auth_tenant=auth_tenant, window=f.window, scope=f.scope
    ),
    exports.changes_rows,
    "access-changes",
)


@require_GET
def access_as_of(request: HtmxRequest) -> HttpResponse:
    return _page(request, AS_OF)


@require_GET
def access_as_of_export(request: HtmxRequest) -> HttpResponse:
    return _export(request, AS_OF)


@require_GET
def access_changes(request: HtmxRequest) -> HttpResponse:
    return _page(request, CHANGES)


@require_GET
def access_changes_export(request: HtmxRequest) -> HttpResponse:
    return _export(request, CHANGES)


def _read(request: HtmxRequest, page: _History) -> tuple[dict[str, Any], Rows | None]:
    """The page's context and its rows (None: no team yet, or filters to correct first)."""
    require(request.user, Capability.VIEW_ACCESS_HISTORY)
    auth_tenant = auth_tenant_for_request(request)
    context: dict[str, Any] = {"auth_tenant": auth_tenant, "form": None, "filters": None}
    if auth_tenant is None:
        return context, None
    form = page.form(request.GET, auth_tenant=auth_tenant)
    filters = form.filters()
    context.update(
        form=form,
        filters=filters,
        history_starts=history.history_starts(auth_tenant=auth_tenant),
        query=request.GET.urlencode(),
    )
    if filters is None:
        return context, None
    tenants = dict(form.fields["tenant"].choices)  # type: ignore[attr-defined]
    context.update(
        tenant_label=tenants.get(filters.scope.tenant_id, "") if filters.scope.tenant_id else "",
        scope_query=urlencode({"tenant": filters.scope.tenant_id, "member": filters.scope.email}),
    )
    return context, page.rows(auth_tenant, filters)


def _page(request: HtmxRequest, page: _History) -> HttpResponse:
    context, rows = _read(request, page)
    context["page_obj"] = Paginator(rows if rows is not None else [], PAGE_SIZE_MAX).get_page(
        request.GET.get("page")
    )
    return render(request, page_or_partial(request, page.template, page.partial), context)


def _export(request: HtmxRequest, page: _History) -> HttpResponse:
    """The CSV of what the page lists; filters to correct show the page with them, status 400."""
    context, rows = _read(request, page)
    if rows is None:
        context["page_obj"] = Paginator([], PAGE_SIZE_MAX).get_page(1)
        return render(request, page.template, context, status=400)
    response = HttpResponse(
        exports.csv_text(page.csv_rows(rows)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    team = context["auth_tenant"].team_slug
    response["Content-Disposition"] = f'attachment; filename="{page.filename}-{team}-{stamp}.csv"'
    return response
