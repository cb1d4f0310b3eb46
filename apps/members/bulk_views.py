"""Bulk invite pages: upload or paste a list, see every line checked, send it, watch it go."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.authtenants.current import auth_tenant_for_request
from apps.core import formtokens
from apps.core.capabilities import Capability, can, require
from apps.core.exports import CONTENT_TYPES, Column, ExportFormat, Kind, export_chunks
from apps.core.filters import page_of
from apps.core.htmx import HtmxRequest, is_partial
from apps.members import bulk_services, selectors
from apps.members.forms import (
    TENANT_ORDER_WARNING,
    BulkInviteSendForm,
    BulkInviteUploadForm,
)
from apps.members.models import BulkInvite, BulkInviteRow
from apps.members.views import _auth_tenant
from apps.teamsapi.contract import TEAM_ROLE_LABELS

RESULT_COLUMNS = (
    Column("line", "line", Kind.INTEGER),
    Column("email", "email"),
    Column("team_role", "team_role", Kind.LABEL, TEAM_ROLE_LABELS),
    Column("tenants", "tenants_text"),
    Column("result", "state", Kind.LABEL, dict(BulkInviteRow.State.choices)),
    Column("message", "message"),
)
POLL_SECONDS = 1
ROWS_PER_PAGE = 100


def _job(request: HtmxRequest, job_id: int) -> BulkInvite:
    """The bulk invite, only within the Auth Tenant the user is looking at."""
    auth_tenant = auth_tenant_for_request(request)
    job = BulkInvite.objects.filter(pk=job_id, auth_tenant=auth_tenant).first()
    if auth_tenant is None or job is None:
        raise Http404("No such bulk invite for this Auth Tenant.")
    return job


@require_http_methods(["GET", "POST"])
def bulk_invite(request: HtmxRequest) -> HttpResponse:
    require(request.user, Capability.INVITE_MEMBER)
    auth_tenant = _auth_tenant(request)
    form = BulkInviteUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def preview() -> str:
            job = bulk_services.bulk_invite_preview(
                actor=request.user,  # type: ignore[arg-type]
                auth_tenant=auth_tenant,
                source=data["source"],
                text=data["text"],
            )
            messages.success(request, "Every line was checked; nothing has been sent yet.")
            return reverse("members:bulk-detail", args=[job.pk])

        done = formtokens.submit_once(
            request, form, pending_url=reverse("members:bulk"), act=preview
        )
        if done is not None:
            return done
    recent = BulkInvite.objects.filter(auth_tenant=auth_tenant)[:10]
    context = {"auth_tenant": auth_tenant, "form": form, "recent": recent}
    return render(request, "members/bulk_invite_upload.html", context)


def _detail_context(request: HtmxRequest, job: BulkInvite) -> dict[str, object]:
    progress = selectors.bulk_invite_progress(job=job)
    rows = job.rows.all()
    if job.state == BulkInvite.State.PREVIEW:
        rows = rows.filter(state=BulkInviteRow.State.INVALID)  # the preview shows what is refused
    return {
        "auth_tenant": job.auth_tenant,
        "job": job,
        "progress": progress,
        "page_obj": page_of(request, rows, per_page=ROWS_PER_PAGE),
        "live": job.state in (BulkInvite.State.QUEUED, BulkInvite.State.RUNNING),
        "poll_seconds": POLL_SECONDS,
        "can_send": can(request.user, Capability.INVITE_MEMBER)
        and job.state == BulkInvite.State.PREVIEW
        and progress.ready > 0,
        "with_tenants": job.rows.filter(state=BulkInviteRow.State.READY)
        .exclude(tenant_ids=[])
        .exists(),
        "tenant_order_warning": TENANT_ORDER_WARNING,
    }


@require_GET
def bulk_invite_detail(request: HtmxRequest, job_id: int) -> HttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    job = _job(request, job_id)
    context = {**_detail_context(request, job), "send_form": BulkInviteSendForm()}
    if not is_partial(request):
        return render(request, "members/bulk_invite_detail.html", context)
    response = render(request, "members/bulk_invite_detail.html#bulk-progress", context)
    if not context["live"]:
        response["HX-Refresh"] = "true"  # finished: the whole page shows each line's result
    return response


@require_POST
def bulk_invite_send(request: HtmxRequest, job_id: int) -> HttpResponse:
    require(request.user, Capability.INVITE_MEMBER)
    job = _job(request, job_id)
    detail_url = reverse("members:bulk-detail", args=[job.pk])
    form = BulkInviteSendForm(request.POST)
    if form.is_valid():
        context = _detail_context(request, job)
        if context["with_tenants"] and not form.cleaned_data["tenant_order_confirmed"]:
            form.add_error(
                "tenant_order_confirmed",
                "Tick this to send tenant access with the invitations anyway, or remove the "
                "tenants from the list and grant access after people have joined.",
            )
        else:

            def send() -> str:
                count = bulk_services.bulk_invite_send(
                    actor=request.user,  # type: ignore[arg-type]
                    job=job,
                    request=request,
                )
                messages.success(request, f"Sending {count} invitation{'s' if count != 1 else ''}…")
                return detail_url

            done = formtokens.submit_once(request, form, pending_url=detail_url, act=send)
            if done is not None:
                return done
    context = {**_detail_context(request, job), "send_form": form}
    return render(request, "members/bulk_invite_detail.html", context, status=400)


@require_GET
def bulk_invite_results(request: HtmxRequest, job_id: int) -> StreamingHttpResponse:
    require(request.user, Capability.VIEW_MEMBERS)
    job = _job(request, job_id)
    rows = BulkInviteRow.objects.filter(job=job).order_by("line")
    response = StreamingHttpResponse(
        export_chunks(rows, RESULT_COLUMNS, ExportFormat.CSV, [0]),
        content_type=CONTENT_TYPES[ExportFormat.CSV],
    )
    response["Content-Disposition"] = f'attachment; filename="bulk-invite-{job.pk}-results.csv"'
    response["Cache-Control"] = "no-store"
    return response
