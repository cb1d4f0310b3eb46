"""`{% review_reminders %}`: the home page's list of access reviews waiting for the user."""

from __future__ import annotations

from typing import Any

from django import template

from apps.reviews import selectors

register = template.Library()


@register.inclusion_tag("reviews/_reminders.html", takes_context=True)
def review_reminders(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"reminders": selectors.reminders(user=user) if user is not None else []}
