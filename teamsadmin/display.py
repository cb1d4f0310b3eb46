"""Template filters that show Teams API values as people read them (`{% load display %}`).

Registered in settings.TEMPLATES as the "display" library. It lives at the project level, not in
`apps/core`, because it reads the contract's role labels: `core` sits below `teamsapi`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timesince import timesince

from apps.teamsapi.contract import ACTOR_TYPE_LABELS
from apps.teamsapi.contract import role_label as contract_role_label

register = template.Library()

NONE = mark_safe('<span class="muted">none</span>')  # noqa: S308 - constant markup
MISSING = mark_safe('<span class="muted">—</span>')  # noqa: S308 - constant markup


@register.filter
def role_label(role: str | None) -> str:
    """`{{ member.role|role_label }}`: "teams_owner" reads "Team owner"; unknown roles verbatim."""
    return contract_role_label(role) if role else ""


@register.filter(expects_localtime=True)
def day(value: date | None) -> str:
    """`{{ tenant.created_at|day }}` in table rows: what `|date` shows (DATE_FORMAT is ISO "Y-m-d"),
    in the display time zone, without a trip through the locale's format machinery per row."""
    if not value:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


@register.filter
def role_badge(role: str | None) -> SafeString:
    """`{{ member.role|role_badge }}`: the team role's label as a badge; the team owner's stands out."""
    css = "badge warn" if role == "teams_owner" else "badge"
    return format_html('<span class="{}">{}</span>', css, role_label(role) or "no role")


@register.filter
def event_label(name: str | None) -> str:
    """`{{ event.current_event|event_label }}`: "member_role_updated" reads "Member role updated"."""
    return capfirst((name or "").replace("_", " ").strip()) or "Event"


@register.filter
def actor_type_label(actor_type: str | None) -> str:
    """`{{ event.actor_type|actor_type_label }}`: "machine" reads "Application (…)"; others verbatim."""
    return ACTOR_TYPE_LABELS.get(actor_type or "", actor_type or "")


@register.filter
def details_list(details: Any) -> SafeString:
    """An activity entry's free-form `details` as a definition list, nested values included."""
    if not isinstance(details, Mapping) or not details:
        return _value("", details)
    rows = format_html_join(
        "",
        "<dt>{}</dt><dd>{}</dd>",
        ((_key(key), _value(str(key), value)) for key, value in details.items()),
    )
    return format_html('<dl class="details">{}</dl>', rows)


def _key(key: object) -> str:
    return capfirst(str(key).replace("_", " ").replace("-", " "))


def _value(key: str, value: Any) -> SafeString:
    if isinstance(value, Mapping):
        return details_list(value) if value else NONE
    if isinstance(value, list | tuple):
        if not value:
            return NONE
        if any(isinstance(item, Mapping | list | tuple) for item in value):
            # Nested records read one per item, not run together with commas.
            items = format_html_join("", "<li>{}</li>", ((_value(key, item),) for item in value))
            return format_html('<ol class="details-items">{}</ol>', items)
        return SafeString(", ".join(_value(key, item) for item in value))
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return format_html("{}", "yes" if value else "no")
    text = str(value)
    if key.endswith("_id") or key == "id":
        return format_html("<code>{}</code>", text)  # ids verbatim: people copy and search them
    if "role" in key:  # role, roles, from_role, to_role: the event names a team or tenant role
        return format_html("{}", contract_role_label(text))
    return SafeString(conditional_escape(text))


@register.filter
def ago(value: datetime | None) -> str:
    """How long ago, in words: "just now" under a minute (timesince says "0 minutes")."""
    if value is None:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"
