"""Time-boxed access pages: every end in one list, moving or dropping one end, and copying a
colleague's access. Plain forms and redirects: every page works without JavaScript."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.access import expiry, results, selectors, services
from apps.access.forms import ColleaguePickForm, ExpiryForm
from apps.access.views import auth_tenant_or_404, tell_result
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.capabilities import Capability, can, require
from apps.core.errors import ServiceError
from apps.core.htmx import HtmxRequest
from apps.directory.models import DirectoryMember

SOON = timedelta(days=7)


@require_GET
def access_expiring(request: HtmxRequest) -> HttpResponse:
    """Every time-boxed access, those ending within a week first."""
    require(request.user, Capability.VIEW_ACCESS_HISTORY)
    auth_tenant = auth_tenant_or_404(request)
    rows = selectors.expiring_list(auth_tenant=auth_tenant)
    soon = timezone.now() + SOON
    context = {
        "this_week": [row for row in rows if row.ends_at <= soon],
        "later": [row for row in rows if row.ends_at > soon],
        "total": len(rows),
        "can_manage": can(request.user, Capability.MANAGE_TENANT_ACCESS),
    }
    return render(request, "access/access_expiring.html", context)


@require_http_methods(["GET", "POST"])
def access_end(request: HtmxRequest, member_id: str, tenant_id: str) -> HttpResponse:
    """Move the end of one time-boxed access (extend), or drop it (make permanent)."""
    require(request.user, Capability.MANAGE_TENANT_ACCESS)
    auth_tenant = auth_tenant_or_404(request)
    row = expiry.expiry_get(auth_tenant, member_id, tenant_id)
    member = selectors.member_current(auth_tenant=auth_tenant, member_id=member_id)
    if row is None or member is None:
        raise Http404("This access has no end set (any more), or the member left the team.")
    back = reverse("members:detail", args=[member_id])
    form = ExpiryForm(initial={"until": timezone.localtime(row.ends_at + timedelta(days=7))})
    if request.method == "POST":
        form = ExpiryForm(request.POST)
        done = _end_submit(request, form, auth_tenant, member_id, tenant_id, back)
        if done is not None:
            return done
    names = selectors.tenant_names(auth_tenant=auth_tenant, tenant_ids=[tenant_id])
    context = {
        "form": form,
        "end": row,
        "member": member,
        "tenant_name": names.get(tenant_id, tenant_id),
        "tenant_id": tenant_id,
    }
    return render(request, "access/access_end.html", context)


def _end_submit(
    request: HtmxRequest,
    form: ExpiryForm,
    auth_tenant: AuthTenant,
    member_id: str,
    tenant_id: str,
    back: str,
) -> HttpResponse | None:
    """Extend or make permanent once; None with the refusal in the form."""
    token = request.POST.get(formtokens.FIELD_NAME)
    permanent = "permanent" in request.POST
    try:
        if formtokens.consume(request, token, result_url=back) is not None:
            messages.info(request, formtokens.REPLAY_MESSAGE)
            return redirect(back)
        if permanent:
            services.access_expiry_remove(
                actor=request.user,
                auth_tenant=auth_tenant,
                member_id=member_id,
                tenant_id=tenant_id,
                request=request,
            )
            messages.success(request, "The access is permanent now: it no longer ends on its own.")
            return redirect(back)
        if not form.is_valid():
            raise ServiceError("The end was not changed: please correct it.")
        row = services.access_expiry_extend(
            actor=request.user,
            auth_tenant=auth_tenant,
            member_id=member_id,
            tenant_id=tenant_id,
            until=form.cleaned_data["until"],
            request=request,
        )
    except ServiceError as error:
        if not isinstance(error, formtokens.FormTokenError):
            formtokens.release(request, token)
        for field, problems in error.field_errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        form.add_error(None, error.message)
        return None
    ends = timezone.localtime(row.ends_at).strftime("%Y-%m-%d %H:%M")
    messages.success(request, f"The access now ends at {ends}.")
    return redirect(back)


@require_http_methods(["GET", "POST"])
def access_copy(request: HtmxRequest, member_id: str) -> HttpResponse:
    """Give the member the same access as a colleague: search, preview, then apply."""
    require(request.user, Capability.MANAGE_TENANT_ACCESS)
    auth_tenant = auth_tenant_or_404(request)
    member = selectors.member_current(auth_tenant=auth_tenant, member_id=member_id)
    if member is None:
        raise Http404("No such member in this team's directory (they may have left the team).")
    source = request.POST if request.method == "POST" else request.GET
    colleague = _colleague(auth_tenant, member, source.get("colleague", ""))
    error = None
    if request.method == "POST" and colleague is not None:
        done, error = _copy_submit(request, auth_tenant, member, colleague)
        if done is not None:
            return done
    form = ColleaguePickForm(request.GET)
    q = form.filters()
    candidates = (
        selectors.colleague_candidates(auth_tenant=auth_tenant, member=member, q=q)
        if q is not None and colleague is None
        else []
    )
    context = {
        "member": member,
        "form": form,
        "q": q or "",
        "candidates": candidates,
        "colleague": colleague,
        "plan": selectors.copy_plan(member=member, colleague=colleague) if colleague else None,
        "gate": selectors.access_gate(auth_tenant=auth_tenant),
        "error": error,
        "unknown_colleague": bool(source.get("colleague")) and colleague is None,
    }
    return render(request, "access/access_copy.html", context)


def _colleague(
    auth_tenant: AuthTenant, member: DirectoryMember, colleague_id: str
) -> DirectoryMember | None:
    if not colleague_id or colleague_id == member.member_id:
        return None
    return selectors.member_current(auth_tenant=auth_tenant, member_id=colleague_id)


def _copy_submit(
    request: HtmxRequest,
    auth_tenant: AuthTenant,
    member: DirectoryMember,
    colleague: DirectoryMember,
) -> tuple[HttpResponse | None, ServiceError | None]:
    """Apply the copy once: a redirect to the per-tenant result, or the refusal to show."""
    token = request.POST.get(formtokens.FIELD_NAME)
    key = results.new_key()
    result_url = reverse("access:result", args=[member.member_id, key])
    try:
        replayed = formtokens.consume(request, token, result_url=result_url)
        if replayed is not None:
            messages.info(request, formtokens.REPLAY_MESSAGE)
            return redirect(replayed), None
        result = services.tenant_access_copy(
            actor=request.user,
            auth_tenant=auth_tenant,
            member_id=member.member_id,
            colleague_id=colleague.member_id,
            request=request,
        )
    except ServiceError as error:
        if not isinstance(error, formtokens.FormTokenError):
            formtokens.release(request, token)
        return None, error
    results.keep(request, key, result)
    tell_result(request, result)
    return redirect(result_url), None
