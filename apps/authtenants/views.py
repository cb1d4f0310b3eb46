"""Auth Tenant pages: everyone with a role reads them, owners edit them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.authtenants import selectors, services
from apps.authtenants.forms import AuthClientForm, AuthTenantForm, add_service_errors
from apps.authtenants.models import AuthClient, AuthTenant
from apps.core.capabilities import Capability, can, require
from apps.core.errors import ServiceError
from apps.core.htmx import is_partial, render_error


def _tenant_cards(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    tenants = list(selectors.auth_tenant_list())
    return {
        "cards": [
            {"tenant": tenant, "coverage": selectors.feature_coverage(tenant)} for tenant in tenants
        ],
        "can_manage": can(request.user, Capability.MANAGE_AUTH_TENANTS),
        **extra,
    }


def _to_list(request: HttpRequest, message: str, *, level: int = messages.SUCCESS) -> HttpResponse:
    """End on the list with a flash: a redirect, or for htmx a full-page client redirect."""
    messages.add_message(request, level, message)
    url = reverse("authtenants:list")
    return HttpResponseClientRedirect(url) if is_partial(request) else HttpResponseRedirect(url)


def _already_gone(request: HttpRequest, what: str) -> HttpResponse:
    """A second click on delete/remove, or a stale tab: land on the list, not on a 404."""
    return _to_list(
        request, f"{what} was already removed; nothing left to do.", level=messages.INFO
    )


def _enabled_change(was_enabled: bool, enabled: bool) -> str:
    if was_enabled == enabled:
        return ""
    return " and enabled" if enabled else " and disabled"


@require_GET
def authtenant_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_AUTH_TENANTS)
    return render(request, "authtenants/authtenant_list.html", _tenant_cards(request))


@require_http_methods(["GET", "POST"])
def authtenant_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    form = AuthTenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            auth_tenant = services.auth_tenant_create(actor=request.user, data=form.to_input())
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Auth Tenant {auth_tenant.name} created; now add its clients."
            )
            return HttpResponseRedirect(reverse("authtenants:client-add", args=[auth_tenant.pk]))
    return render(request, "authtenants/authtenant_form.html", {"form": form, "auth_tenant": None})


@require_http_methods(["GET", "POST"])
def authtenant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_tenant = selectors.auth_tenant_get(pk=pk)
    was_enabled = auth_tenant.enabled  # read now: a valid ModelForm copies its values onto it
    form = AuthTenantForm(request.POST or None, instance=auth_tenant)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.auth_tenant_update(
                actor=request.user, auth_tenant=auth_tenant, data=form.to_input()
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            change = _enabled_change(was_enabled, saved.enabled)
            return _to_list(request, f"Auth Tenant {saved.name} saved{change}.")
    return render(
        request, "authtenants/authtenant_form.html", {"form": form, "auth_tenant": auth_tenant}
    )


@require_http_methods(["GET", "POST"])
def authtenant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    try:
        auth_tenant = selectors.auth_tenant_get(pk=pk)
    except Http404:
        return _already_gone(request, "This Auth Tenant")
    if request.method == "GET":
        return _confirm(request, auth_tenant=auth_tenant, auth_client=None)
    try:
        services.auth_tenant_delete(actor=request.user, auth_tenant=auth_tenant)
    except ServiceError as error:
        return render_error(request, error, fallback_url=reverse("authtenants:list"))
    return _to_list(request, f"Auth Tenant {auth_tenant.name} deleted.")


@require_POST
def authtenant_test(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_tenant = selectors.auth_tenant_get(pk=pk)
    result = services.auth_tenant_test_connection(actor=request.user, auth_tenant=auth_tenant)
    if result.ok:
        messages.success(request, f"Connection test of {auth_tenant.name}: all good.")
    else:
        messages.warning(request, f"Connection test of {auth_tenant.name} found problems.")
    if is_partial(request):
        fresh = selectors.auth_tenant_get(pk=pk)
        card = render_to_string(
            "authtenants/authtenant_list.html#authtenant-card",
            {
                "card": {"tenant": fresh, "coverage": selectors.feature_coverage(fresh)},
                "can_manage": True,
                "test_result": result,
            },
            request,
        )
        return HttpResponse(card + _messages_out_of_band(request))
    return render(
        request, "authtenants/authtenant_list.html", _tenant_cards(request, test_result=result)
    )


@require_http_methods(["GET", "POST"])
def authclient_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_tenant = selectors.auth_tenant_get(pk=pk)
    form = AuthClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            auth_client = services.auth_client_add(
                actor=request.user, auth_tenant=auth_tenant, data=form.to_input()
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _to_list(request, f"Client {auth_client.label} added to {auth_tenant.name}.")
    return render(
        request,
        "authtenants/authclient_form.html",
        {"form": form, "auth_tenant": auth_tenant, "auth_client": None},
    )


@require_http_methods(["GET", "POST"])
def authclient_edit(request: HttpRequest, client_pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_client = selectors.auth_client_get(pk=client_pk)
    was_enabled = auth_client.enabled
    form = AuthClientForm(request.POST or None, auth_client=auth_client)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.auth_client_update(
                actor=request.user, auth_client=auth_client, data=form.to_input()
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            change = _enabled_change(was_enabled, saved.enabled)
            return _to_list(request, f"Client {saved.label} saved{change}.")
    return render(
        request,
        "authtenants/authclient_form.html",
        {"form": form, "auth_tenant": auth_client.auth_tenant, "auth_client": auth_client},
    )


@require_http_methods(["GET", "POST"])
def authclient_remove(request: HttpRequest, client_pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    try:
        auth_client = selectors.auth_client_get(pk=client_pk)
    except Http404:
        return _already_gone(request, "This client")
    if request.method == "GET":
        return _confirm(request, auth_tenant=auth_client.auth_tenant, auth_client=auth_client)
    tenant_name = auth_client.auth_tenant.name
    try:
        services.auth_client_remove(actor=request.user, auth_client=auth_client)
    except ServiceError as error:
        return render_error(request, error, fallback_url=reverse("authtenants:list"))
    return _to_list(request, f"Client {auth_client.label} removed from {tenant_name}.")


def _confirm(
    request: HttpRequest, *, auth_tenant: AuthTenant, auth_client: AuthClient | None
) -> HttpResponse:
    if auth_client is None:
        action = reverse("authtenants:delete", args=[auth_tenant.pk])
        question = (
            f"Delete the Auth Tenant {auth_tenant.name}, its clients and everything synced "
            "through it (activity log, sync history)? To pause it instead, edit it and untick Enabled."
        )
        dom_id = f"authtenant-confirm-{auth_tenant.pk}"
        confirm_label = "Yes, delete"
    else:
        action = reverse("authtenants:client-remove", args=[auth_client.pk])
        question = f"Remove the client {auth_client.label} from {auth_tenant.name}?"
        dom_id = f"authclient-confirm-{auth_client.pk}"
        confirm_label = "Yes, remove"
    template = "authtenants/authtenant_confirm.html"
    if is_partial(request):
        template += "#confirm-dialog"
    return render(
        request,
        template,
        {"action": action, "question": question, "dom_id": dom_id, "confirm_label": confirm_label},
    )


def _messages_out_of_band(request: HttpRequest) -> str:
    """The flash messages as an htmx out-of-band swap into #messages, for fragment responses."""
    inner = render_to_string("_messages.html", request=request)
    return (
        f'<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true">{inner}</div>'
    )
