"""What the Tenants and Members pages share: a filtered page of the current Auth Tenant's mirror,
and one row of it with its access, current and past."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render

from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.models import AuthTenant
from apps.core.filters import FilterForm, page_of, pop_column
from apps.core.htmx import HtmxRequest, is_partial, page_or_partial
from apps.directory import selectors
from apps.directory.models import DirectoryAccess, DirectorySnapshot
from apps.teamsapi.contract import PAGE_SIZE_MAX

F = TypeVar("F")
R = TypeVar("R", bound=Model)
# The column the list's page query carries with the latest snapshot's time.
_AS_OF = "directory_as_of"


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

    `extra` adds the page's own context (e.g. which action buttons it shows). The page query
    carries the "directory as of" time and the form's filter options, round trips fewer; an
    htmx table refresh (a search as it is typed) shows neither notice nor form, so its query
    leaves them out.
    """
    auth_tenant = auth_tenant_for_request(request)
    context: dict[str, Any] = {"auth_tenant": auth_tenant, "form": None, "snapshot": None}
    if auth_tenant is not None:
        bound = form(auth_tenant)
        filters = bound.filters()
        found = None if filters is None else rows(auth_tenant, filters)
        notice = not is_partial(request)
        carried = [options for options in bound.carried if notice and not options.known]
        if notice and found is not None:
            found = found.annotate(
                **{_AS_OF: selectors.snapshot_taken_at(auth_tenant=auth_tenant)},
                **{options.name: options.column() for options in carried},
            )
        page = page_of(request, found, per_page=PAGE_SIZE_MAX)
        context.update(form=bound, page_obj=page)
        if notice:
            for options in carried if found is not None else ():
                options.take(list(page))
            context["snapshot"] = _as_of(auth_tenant, list(page))
    if extra is not None:
        context.update(extra(auth_tenant))
    return render(request, page_or_partial(request, template, partial), context)


@dataclass(frozen=True)
class AsOf:
    """What the "directory as of" notice reads of the latest snapshot."""

    taken_at: datetime


def _as_of(auth_tenant: AuthTenant, rows: list[Any]) -> AsOf | DirectorySnapshot | None:
    """The latest snapshot's time as the page's rows carry it (saving a round trip); read on its
    own when the page has no rows."""
    times = [pop_column(row, _AS_OF) for row in rows]
    if not times:
        return selectors.snapshot_latest(auth_tenant=auth_tenant)
    return AsOf(times[0]) if times[0] is not None else None


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
