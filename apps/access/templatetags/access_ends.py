"""`{% load access_ends %}`: how a time-boxed access's end reads ("expires in 1 h 20 min")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def ends_in(value: datetime | None) -> str:
    """ "expires in 2 d 3 h", "expires in 1 h 20 min"; a passed end is being removed now."""
    if value is None:
        return ""
    minutes = math.ceil((value - timezone.now()).total_seconds() / 60)
    if minutes <= 0:
        return "ended; being removed"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else ""]
    if not days:
        parts.append(f"{mins} min" if mins else "")
    return "expires in " + " ".join(part for part in parts if part)


@register.filter
def countdown(value: datetime | None) -> SafeString:
    """The countdown with the exact end (display time zone) in its title, as a <time>."""
    if value is None:
        return SafeString("")
    exact = timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return format_html(
        '<time class="countdown" datetime="{}" title="Ends {}">{}</time>',
        value.isoformat(),
        exact,
        ends_in(value),
    )


@register.filter
def end_of(ends: Mapping[str, Any] | None, tenant_id: str) -> Any:
    """`access_ends|end_of:tenant_id`: the end of the member's access to that tenant, or None."""
    return (ends or {}).get(tenant_id)
