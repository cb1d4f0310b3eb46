"""What the Tenants and Members pages share: a filtered page of the current Auth Tenant's mirror,
and one row of it with its access, current and past."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render

from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.models import AuthTenant
from apps.core.filters import FilterForm, page_of
from apps.core.htmx import HtmxRequest, is_partial, page_or_partial
from apps.directory import selectors
from apps.directory.models import DirectoryAccess
from apps.teamsapi.contract import PAGE_SIZE_MAX

F = TypeVar("F")
R = TypeVar("R", bound=Model)


def mirror_list(
    request: HtmxRequest,
    *,
    template: str,
    partial: str,
    form: Callable[[AuthTenant], FilterForm[F]],
    rows: Callable[[AuthTenant, F], QuerySet[Any]],
    extra: Callable[[AuthTenant | None], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The page of rows the filters select; with invalid filters, none and the form's messages.

    `extra` adds the page's own context (e.g. which action buttons it shows). An htmx table
    refresh (a search as it is typed) shows no "directory as of" notice, so it skips that read.
    """
    auth_tenant = auth_tenant_for_request(request)
    context: dict[str, Any] = {"auth_tenant": auth_tenant, "form": None, "snapshot": None}
    if auth_tenant is not None:
        bound = form(auth_tenant)
        filters = bound.filters()
        found = None if filters is None else rows(auth_tenant, filters)
        context.update(form=bound, page_obj=page_of(request, found, per_page=PAGE_SIZE_MAX))
        if not is_partial(request):
            context["snapshot"] = selectors.snapshot_latest(auth_tenant=auth_tenant)
    if extra is not None:
        context.update(extra(auth_tenant))
    return render(request, page_or_partial(request, template, partial), context)


def mirror_detail(
    request: HtmxRequest,
    *,
    template: str,
    name: str,
    row: Callable[[AuthTenant], R | None],
    accesses: Callable[[R], QuerySet[DirectoryAccess]],
    extra: Callable[[AuthTenant, R], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One row of the mirror as `name` with its access split into current and past, else a 404.

    `extra` adds context that needs the row (a higher app's panel for the page).
    """
    auth_tenant = auth_tenant_for_request(request)
    found = row(auth_tenant) if auth_tenant is not None else None
    if auth_tenant is None or found is None:
        raise Http404(f"No such {name} in this team's directory.")
    history = list(accesses(found))
    return render(
        request,
        template,
        {
            "auth_tenant": auth_tenant,
            name: found,
            "current": [access for access in history if access.removed_at is None],
            "past": [access for access in history if access.removed_at is not None],
            "snapshot": selectors.snapshot_latest(auth_tenant=auth_tenant),
            **(extra(auth_tenant, found) if extra is not None else {}),
        },
    )
