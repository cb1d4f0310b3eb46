"""Tenants pages: browse the team's tenants, see one live, create and delete them (owners)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from apps.access import selectors as access_panels
from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.forms import add_service_errors
from apps.authtenants.models import AuthTenant
from apps.authtenants.scopes import action_gates
from apps.core import formtokens
from apps.core.capabilities import Capability, can, require
from apps.core.errors import ServiceError
from apps.core.htmx import HtmxRequest, is_partial
from apps.directory import pages, selectors
from apps.directory.models import DirectoryTenant
from apps.teamsapi.contract import OperationName
from apps.tenants import live, services
from apps.tenants.forms import TenantCreateForm, TenantDeleteForm, TenantFilterForm


def _write_gates(request: HtmxRequest, auth_tenant: AuthTenant | None) -> dict[str, Any]:
    """Which write buttons the page shows: only the role's, each with its scope gate (or None).

    An htmx table refresh carries no buttons, so it skips the scope lookup.
    """
    if auth_tenant is None or is_partial(request):
        return {}
    shown = {
        "create": (Capability.CREATE_TENANT, OperationName.CREATE_TENANT),
        "delete": (Capability.DELETE_TENANT, OperationName.DELETE_TENANT),
    }
    allowed = {key: op for key, (cap, op) in shown.items() if can(request.user, cap)}
    if not allowed:
        return {}
    gates = action_gates(auth_tenant)
    return {key: {"gate": gates[op]} for key, op in allowed.items()}


@require_GET
def tenant_list(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_TENANTS)
    return pages.mirror_list(
        request,
        template="tenants/tenant_list.html",
        partial="tenant-table",
        form=lambda auth_tenant: TenantFilterForm(
            request.GET, environments=selectors.tenant_environments(auth_tenant=auth_tenant)
        ),
        rows=lambda auth_tenant, filters: selectors.tenant_list(auth_tenant=auth_tenant, **filters),
        extra=lambda auth_tenant: {"actions": _write_gates(request, auth_tenant)},
    )


@require_GET
def tenant_detail(request: HtmxRequest, tenant_id: str) -> HttpResponse:
    """The tenant as Auth0 has it now, with the mirror (and its "as of" time) when the API fails."""
    require(request.user, Capability.VIEW_TENANTS)
    auth_tenant = auth_tenant_for_request(request)
    mirrored = (
        selectors.tenant_get(auth_tenant=auth_tenant, tenant_id=tenant_id)
        if auth_tenant is not None
        else None
    )
    if auth_tenant is None or mirrored is None:
        raise Http404("No such tenant in this team's directory.")
    found = (
        None
        if mirrored.removed_at
        else live.tenant_live(auth_tenant=auth_tenant, tenant_id=tenant_id)
    )
    history = list(selectors.tenant_access_list(tenant=mirrored))
    return render(
        request,
        "tenants/tenant_detail.html",
        {
            "auth_tenant": auth_tenant,
            "tenant": mirrored,
            "live": found,
            "current": [a for a in history if a.removed_at is None],
            "past": [a for a in history if a.removed_at is not None],
            "snapshot": selectors.snapshot_latest(auth_tenant=auth_tenant),
            "actions": {} if mirrored.removed_at else _write_gates(request, auth_tenant),
            **access_panels.tenant_access_panel(
                user=request.user, auth_tenant=auth_tenant, tenant=mirrored
            ),
        },
    )


def _auth_tenant_or_404(request: HtmxRequest) -> AuthTenant:
    auth_tenant = auth_tenant_for_request(request)
    if auth_tenant is None:
        raise Http404("No Auth Tenant is configured yet.")
    return auth_tenant


def _create_form(request: HtmxRequest, auth_tenant: AuthTenant) -> tuple[TenantCreateForm, str]:
    environments, unavailable = live.environments_live(auth_tenant=auth_tenant)
    form = TenantCreateForm(
        request.POST if request.method == "POST" else None,
        admin_emails=selectors.member_emails(auth_tenant=auth_tenant),
        environments=environments,
    )
    return form, unavailable


@never_cache
@require_http_methods(["GET", "POST"])
def tenant_create(request: HtmxRequest) -> HttpResponse:
    """The new-tenant form; a success answers with the one-time credentials, never stored."""
    require(request.user, Capability.CREATE_TENANT)
    auth_tenant = _auth_tenant_or_404(request)
    form, environments_error = _create_form(request, auth_tenant)
    context = {
        "auth_tenant": auth_tenant,
        "form": form,
        "environments_error": environments_error,
        "gate": action_gates(auth_tenant)[OperationName.CREATE_TENANT],
    }
    if request.method == "POST" and form.is_valid():
        token = request.POST.get(formtokens.FIELD_NAME)
        try:
            replayed = formtokens.consume(request, token, result_url=reverse("tenants:list"))
        except ServiceError as error:
            add_service_errors(form, error)
            return render(request, "tenants/tenant_create.html", context)
        if replayed is not None:
            messages.info(request, formtokens.REPLAY_MESSAGE)
            return redirect(replayed)
        try:
            created = services.tenant_create(
                actor=request.user, auth_tenant=auth_tenant, request=request, **form.api_values()
            )
        except ServiceError as error:
            formtokens.release(request, token)
            add_service_errors(form, error)
            return render(request, "tenants/tenant_create.html", context)
        detail_url = reverse("tenants:detail", args=[created.tenant.tenant_id])
        formtokens.settle(request, token, result_url=detail_url)
        # The credentials live in this response only: no redirect, no session, no cache.
        return render(
            request,
            "tenants/tenant_credentials.html",
            {"auth_tenant": auth_tenant, "created": created, "detail_url": detail_url},
        )
    return render(request, "tenants/tenant_create.html", context)


@require_http_methods(["GET", "POST"])
def tenant_delete(request: HtmxRequest, tenant_id: str) -> HttpResponse:
    """Confirm by typing the name; lists the access that goes with the tenant."""
    require(request.user, Capability.DELETE_TENANT)
    auth_tenant = _auth_tenant_or_404(request)
    tenant = selectors.tenant_get(auth_tenant=auth_tenant, tenant_id=tenant_id)
    if tenant is None:
        raise Http404("No such tenant in this team's directory.")
    list_url = reverse("tenants:list")
    if tenant.removed_at is not None and request.method == "GET":
        messages.info(request, f"Tenant {tenant.tenant_name} was already deleted.")
        return redirect(list_url)
    form = TenantDeleteForm(
        request.POST if request.method == "POST" else None, tenant_name=tenant.tenant_name
    )
    if request.method == "POST" and form.is_valid():
        token = request.POST.get(formtokens.FIELD_NAME)
        try:
            replayed = formtokens.consume(request, token, result_url=list_url)
        except ServiceError as error:
            add_service_errors(form, error)
            return _delete_page(request, auth_tenant, tenant, form)
        if replayed is not None:
            messages.info(request, formtokens.REPLAY_MESSAGE)
            return redirect(replayed)
        return _delete(request, auth_tenant, tenant, token, form)
    return _delete_page(request, auth_tenant, tenant, form)


def _delete(
    request: HtmxRequest,
    auth_tenant: AuthTenant,
    tenant: DirectoryTenant,
    token: str | None,
    form: TenantDeleteForm,
) -> HttpResponse:
    try:
        deleted = services.tenant_delete(
            actor=request.user,
            auth_tenant=auth_tenant,
            tenant_id=tenant.tenant_id,
            tenant_name=tenant.tenant_name,
            request=request,
        )
    except ServiceError as error:
        formtokens.release(request, token)
        add_service_errors(form, error)
        return _delete_page(request, auth_tenant, tenant, form)
    if deleted.already_gone:
        messages.info(request, f"Tenant {tenant.tenant_name} was already deleted in Auth0.")
    else:
        messages.success(request, f"Tenant {tenant.tenant_name} was deleted.")
    return redirect("tenants:list")


def _delete_page(
    request: HtmxRequest, auth_tenant: AuthTenant, tenant: DirectoryTenant, form: TenantDeleteForm
) -> HttpResponse:
    return render(
        request,
        "tenants/tenant_delete.html",
        {
            "auth_tenant": auth_tenant,
            "tenant": tenant,
            "form": form,
            "accesses": selectors.tenant_access_current(tenant=tenant),
            "gate": action_gates(auth_tenant)[OperationName.DELETE_TENANT],
        },
    )
