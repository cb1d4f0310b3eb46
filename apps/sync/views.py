"""Sync status page (every role) and "Sync now" (owners)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from apps.authtenants.selectors import auth_tenant_get
from apps.core.capabilities import Capability, can, require
from apps.core.htmx import HtmxRequest, is_partial
from apps.sync import selectors, services


@require_GET
@login_required
def sync_status(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_SYNC_STATUS)
    template = "sync/sync_status.html"
    if is_partial(request):
        template += "#sync-status-list"
    statuses = selectors.sync_status_list()
    return render(
        request,
        template,
        {
            "statuses": statuses,
            "any_running": any(status.running for status in statuses),
            "can_sync_now": can(request.user, Capability.SYNC_NOW),
        },
    )


@require_POST
@login_required
def sync_now(request: HtmxRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.SYNC_NOW)
    try:
        auth_tenant = auth_tenant_get(pk=pk)
    except Http404:  # deleted in another tab since this page was loaded
        messages.info(request, "This Auth Tenant was removed; there is nothing to sync.")
    else:
        services.sync_now(actor=request.user, auth_tenant=auth_tenant)
        messages.success(request, f"Sync of {auth_tenant.name} requested; progress shows below.")
    if is_partial(request):
        response = render(request, "_messages.html")
        response = reswap(retarget(response, "#messages"), "innerHTML")
        return trigger_client_event(response, "sync-requested")
    return HttpResponseRedirect(reverse("sync:status"))
