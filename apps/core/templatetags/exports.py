"""`{% export_form %}`: the export button posting a page's current filters with a format choice."""

from __future__ import annotations

from typing import Any

from django import forms, template

from apps.core.exports import ExportFormat

register = template.Library()


@register.inclusion_tag("_export_form.html", takes_context=True)
def export_form(
    context: dict[str, Any], action: str, filters: forms.Form, auth_tenant: Any = None
) -> dict[str, Any]:
    """The form: every visible filter as a hidden input, the team in the URL, format, button.

    Paging fields are hidden inputs in the filter forms and are left out: an export holds every
    matching row. The team goes into the action's query string, so a switch of team in another
    tab cannot change what this page's button exports.
    """
    if auth_tenant is not None:
        action = f"{action}?auth_tenant={auth_tenant.pk}"
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "action": action,
        "carried": [
            (field.html_name, "" if field.value() is None else field.value())
            for field in filters.visible_fields()
        ],
        "formats": ExportFormat.choices,
    }
