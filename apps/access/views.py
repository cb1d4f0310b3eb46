"""Tenant access pages: grant, change roles, remove (one form each), the result, and picking a
member to give a tenant to. Plain forms and redirects: every page works without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.access import results, rules, selectors, services
from apps.access.forms import (
    AccessChangeForm,
    AccessForm,
    AccessGrantForm,
    AccessRevokeForm,
    MemberPickForm,
)
from apps.access.results import AccessResult
from apps.access.rules import AccessKind
from apps.authtenants.current import auth_tenant_for_request
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.capabilities import Capability, require
from apps.core.errors import ServiceError
from apps.core.htmx import HtmxRequest
from apps.directory.models import DirectoryAccess, DirectoryMember
from apps.teamsapi.contract import role_label


@dataclass(frozen=True)
class _Page:
    """How one kind of access form reads: its form, wording and what it may pick from."""

    form: type[AccessForm]
    title: str
    submit: str
    empty: str


PAGES = {
    AccessKind.GRANT: _Page(
        AccessGrantForm,
        "Grant tenant access",
        "Grant access",
        "This member can already access every tenant of the team.",
    ),
    AccessKind.CHANGE: _Page(
        AccessChangeForm,
        "Change tenant roles",
        "Change roles",
        "This member has no tenant access to change.",
    ),
    AccessKind.REVOKE: _Page(
        AccessRevokeForm,
        "Remove tenant access",
        "Remove access",
        "This member has no tenant access to remove.",
    ),
}


@require_http_methods(["GET", "POST"])
def access_grant(request: HtmxRequest, member_id: str) -> HttpResponse:
    return _access_page(request, member_id, AccessKind.GRANT)


@require_http_methods(["GET", "POST"])
def access_change(request: HtmxRequest, member_id: str) -> HttpResponse:
    return _access_page(request, member_id, AccessKind.CHANGE)


@require_http_methods(["GET", "POST"])
def access_revoke(request: HtmxRequest, member_id: str) -> HttpResponse:
    return _access_page(request, member_id, AccessKind.REVOKE)


@require_GET
def access_result(request: HtmxRequest, member_id: str, key: str) -> HttpResponse:
    require(request.user, Capability.MANAGE_TENANT_ACCESS)
    result = results.recall(request, member_id=member_id, key=key)
    context = {"result": result, "member_id": member_id}
    return render(request, "access/access_result.html", context, status=200 if result else 404)


@require_GET
def tenant_grant(request: HtmxRequest, tenant_id: str) -> HttpResponse:
    """Pick whom to give a tenant: members without access to it, searched by email or name."""
    require(request.user, Capability.MANAGE_TENANT_ACCESS)
    auth_tenant = auth_tenant_or_404(request)
    tenant = selectors.tenant_current(auth_tenant=auth_tenant, tenant_id=tenant_id)
    if tenant is None:
        raise Http404("No such tenant in this team's directory (it may have been deleted).")
    form = MemberPickForm(request.GET)
    q = form.filters()
    candidates = (
        selectors.member_candidates(auth_tenant=auth_tenant, tenant=tenant, q=q)
        if q is not None
        else []
    )
    context = {"tenant": tenant, "form": form, "q": q or "", "candidates": candidates}
    return render(request, "access/tenant_grant.html", context)


def auth_tenant_or_404(request: HtmxRequest) -> AuthTenant:
    auth_tenant = auth_tenant_for_request(request)
    if auth_tenant is None:
        raise Http404("No team is set up yet: add an Auth Tenant first.")
    return auth_tenant


def _access_page(request: HtmxRequest, member_id: str, kind: AccessKind) -> HttpResponse:
    require(request.user, Capability.MANAGE_TENANT_ACCESS)
    auth_tenant = auth_tenant_or_404(request)
    member = selectors.member_current(auth_tenant=auth_tenant, member_id=member_id)
    if member is None:
        raise Http404("No such member in this team's directory (they may have left the team).")
    page, grants = PAGES[kind], selectors.member_grants(member=member)
    choices = _choices(kind, member, grants)
    if request.method == "POST":
        form = page.form(request.POST, tenant_choices=choices)
        done = _submit(request, form, auth_tenant, member)
        if done is not None:
            return done
    else:
        form = page.form(tenant_choices=choices, initial=_initial(request, kind, grants))
    context = {
        "kind": kind.value,
        "page": page,
        "form": form,
        "member": member,
        "gate": selectors.access_gate(auth_tenant=auth_tenant),
        "rules": rules,
    }
    return render(request, "access/access_form.html", context)


def _choices(
    kind: AccessKind, member: DirectoryMember, grants: list[DirectoryAccess]
) -> list[tuple[str, str]]:
    """(tenant id, label) pairs: tenants to grant, or the member's current ones with their roles."""
    if kind is AccessKind.GRANT:
        tenants = selectors.grantable_tenants(member=member)
        return [(t.tenant_id, f"{t.tenant_name} · {t.environment}") for t in tenants]
    return [
        (g.tenant.tenant_id, f"{g.tenant.tenant_name} · {_role_labels(g.roles)}") for g in grants
    ]


def _role_labels(roles: list[str]) -> str:
    return ", ".join(role_label(role) for role in roles) or "no roles"


def _initial(
    request: HtmxRequest, kind: AccessKind, grants: list[DirectoryAccess]
) -> dict[str, Any]:
    """?tenant=<id> (repeatable) preselects tenants; changing one tenant starts from its roles."""
    wanted = request.GET.getlist("tenant")
    initial: dict[str, Any] = {"tenants": wanted}
    picked = [g for g in grants if g.tenant.tenant_id in wanted]
    if kind is AccessKind.CHANGE and len(picked) == 1:
        initial["roles"] = list(picked[0].roles)
    return initial


def _submit(
    request: HtmxRequest, form: AccessForm, auth_tenant: AuthTenant, member: DirectoryMember
) -> HttpResponse | None:
    """Perform the form once: a redirect to its result, or None with the refusal in the form.

    The token is claimed before the form is validated: a replay of a form that went through
    would no longer validate (the tenants it granted are not offered any more) and must still
    lead to the first submission's result.
    """
    token = request.POST.get(formtokens.FIELD_NAME)
    key = results.new_key()
    result_url = reverse("access:result", args=[member.member_id, key])
    try:
        replayed = formtokens.consume(request, token, result_url=result_url)
    except formtokens.FormTokenError as error:
        form.is_valid()
        form.add_service_error(error)
        return None
    if replayed is not None:
        messages.info(request, formtokens.REPLAY_MESSAGE)
        return redirect(replayed)
    try:
        if not form.is_valid():
            raise ServiceError("Nothing was sent: please correct the marked fields.")
        result = _perform(request, form, auth_tenant, member.member_id)
    except ServiceError as error:
        formtokens.release(request, token)  # nothing changed: the same form may be sent again
        form.add_service_error(error)
        return None
    results.keep(request, key, result)
    tell_result(request, result)
    return redirect(result_url)


def _perform(
    request: HtmxRequest, form: AccessForm, auth_tenant: AuthTenant, member_id: str
) -> AccessResult:
    data = form.cleaned_data
    if form.kind is AccessKind.REVOKE:
        return services.tenant_access_revoke(
            actor=request.user,
            auth_tenant=auth_tenant,
            member_id=member_id,
            tenant_ids=data["tenants"],
            request=request,
        )
    if form.kind is AccessKind.GRANT:
        return services.tenant_access_grant(
            actor=request.user,
            auth_tenant=auth_tenant,
            member_id=member_id,
            tenant_ids=data["tenants"],
            roles=data["roles"],
            client_ids=data["client_ids"],
            until=data.get("until"),
            request=request,
        )
    return services.tenant_access_change(
        actor=request.user,
        auth_tenant=auth_tenant,
        member_id=member_id,
        tenant_ids=data["tenants"],
        roles=data["roles"],
        client_ids=data["client_ids"],
        request=request,
    )


def tell_result(request: HtmxRequest, result: AccessResult) -> None:
    """The summary as a message: success, a warning when some tenants failed, an error if all did."""
    if not result.failed:
        messages.success(request, result.summary)
    elif result.succeeded:
        messages.warning(request, result.summary)
    else:
        messages.error(request, result.summary)
