"""The Dashboard actions export; the list and entry pages, which show the Auth0 events each
action caused too, live in apps.history."""

from __future__ import annotations

from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.audit.exports import COLUMNS
from apps.audit.forms import AuditFilterForm
from apps.audit.selectors import audit_export_list
from apps.authtenants.current import auth_tenant_for_request
from apps.core.capabilities import Capability, require
from apps.core.exports import (
    ExportFormatForm,
    ExportRequest,
    export_needs_post,
    export_refused,
    export_response,
    filters_applied,
)
from apps.core.htmx import HtmxRequest


@require_http_methods(["GET", "POST"])
def audit_entry_export(request: HtmxRequest) -> HttpResponseBase:
    title, back = "Export dashboard actions", (reverse("audit:list"), "Dashboard actions")
    if request.method != "POST":
        return export_needs_post(request, title=title, back=back)
    require(request.user, Capability.EXPORT_AUDIT)
    auth_tenant = auth_tenant_for_request(request)
    form = AuditFilterForm(request.POST)
    filters, export_format = form.filters(), ExportFormatForm(request.POST).export_format_or_none()
    if filters is None or export_format is None:
        reason = "the filters are not valid" if filters is None else "the format is not one offered"
        return export_refused(request, title=title, reason=reason, back=back, form=form)
    export = ExportRequest(
        request=request,
        queryset=audit_export_list(
            auth_tenant=auth_tenant,
            action=filters["action"],
            actor=filters["actor"],
            q=filters["q"],
        ),
        columns=COLUMNS,
        export_format=export_format,
        name="audit",
        filename_stem="dashboard-actions"
        + (f"-{auth_tenant.team_slug}" if auth_tenant is not None else ""),
        auth_tenant=auth_tenant,
        filters=filters_applied(form, leave_out=["before", "after"]),
    )
    return export_response(export)
