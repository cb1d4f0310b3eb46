"""Auth Tenant pages: everyone with a role reads them, owners edit them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from apps.authtenants import selectors, services
from apps.authtenants.forms import AuthClientForm, AuthTenantForm, add_service_errors
from apps.authtenants.models import AuthClient, AuthTenant
from apps.core.capabilities import Capability, can, require
from apps.core.errors import ServiceError
from apps.core.htmx import is_partial, render_error

CHANGED_EVENT = "authtenants-changed"


def _tenant_cards(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    tenants = list(selectors.auth_tenant_list())
    return {
        "cards": [
            {"tenant": tenant, "coverage": selectors.feature_coverage(tenant)} for tenant in tenants
        ],
        "can_manage": can(request.user, Capability.MANAGE_AUTH_TENANTS),
        **extra,
    }


def _done(request: HttpRequest, message: str) -> HttpResponse:
    """After a create/delete: an htmx event for the list, or a flash and a redirect to it."""
    if is_partial(request):
        return trigger_client_event(HttpResponse(status=204), CHANGED_EVENT)
    messages.success(request, message)
    return HttpResponseRedirect(reverse("authtenants:list"))


@require_GET
def authtenant_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_AUTH_TENANTS)
    template = "authtenants/authtenant_list.html"
    if is_partial(request):
        template += "#authtenant-cards"
    return render(request, template, _tenant_cards(request))


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
    form = AuthTenantForm(request.POST or None, instance=auth_tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.auth_tenant_update(
                actor=request.user, auth_tenant=auth_tenant, data=form.to_input()
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Auth Tenant {auth_tenant.name} saved.")
            return HttpResponseRedirect(reverse("authtenants:list"))
    return render(
        request, "authtenants/authtenant_form.html", {"form": form, "auth_tenant": auth_tenant}
    )


@require_http_methods(["GET", "POST"])
def authtenant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_tenant = selectors.auth_tenant_get(pk=pk)
    if request.method == "GET":
        return _confirm(request, auth_tenant=auth_tenant, auth_client=None)
    name = auth_tenant.name
    try:
        services.auth_tenant_delete(actor=request.user, auth_tenant=auth_tenant)
    except ServiceError as error:
        return render_error(request, error, fallback_url=reverse("authtenants:list"))
    return _done(request, f"Auth Tenant {name} deleted.")


@require_POST
def authtenant_test(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_tenant = selectors.auth_tenant_get(pk=pk)
    result = services.auth_tenant_test_connection(actor=request.user, auth_tenant=auth_tenant)
    if is_partial(request):
        fresh = selectors.auth_tenant_get(pk=pk)
        return render(
            request,
            "authtenants/authtenant_list.html#authtenant-card",
            {
                "card": {"tenant": fresh, "coverage": selectors.feature_coverage(fresh)},
                "can_manage": True,
                "test_result": result,
            },
        )
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
            messages.success(request, f"Client {auth_client.label} added to {auth_tenant.name}.")
            return HttpResponseRedirect(reverse("authtenants:list"))
    return render(
        request,
        "authtenants/authclient_form.html",
        {"form": form, "auth_tenant": auth_tenant, "auth_client": None},
    )


@require_http_methods(["GET", "POST"])
def authclient_edit(request: HttpRequest, client_pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_client = selectors.auth_client_get(pk=client_pk)
    form = AuthClientForm(request.POST or None, auth_client=auth_client)
    if request.method == "POST" and form.is_valid():
        try:
            services.auth_client_update(
                actor=request.user, auth_client=auth_client, data=form.to_input()
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Client {auth_client.label} saved.")
            return HttpResponseRedirect(reverse("authtenants:list"))
    return render(
        request,
        "authtenants/authclient_form.html",
        {"form": form, "auth_tenant": auth_client.auth_tenant, "auth_client": auth_client},
    )


@require_http_methods(["GET", "POST"])
def authclient_remove(request: HttpRequest, client_pk: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_AUTH_TENANTS)
    auth_client = selectors.auth_client_get(pk=client_pk)
    if request.method == "GET":
        return _confirm(request, auth_tenant=auth_client.auth_tenant, auth_client=auth_client)
    label = auth_client.label
    try:
        services.auth_client_remove(actor=request.user, auth_client=auth_client)
    except ServiceError as error:
        return render_error(request, error, fallback_url=reverse("authtenants:list"))
    return _done(request, f"Client {label} removed.")


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
