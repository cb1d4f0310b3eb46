"""`{% form_token %}`: the hidden one-time token input of apps.core.formtokens."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.core import formtokens

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: dict[str, Any]) -> SafeString:
    """A hidden input holding a fresh token for the current request's user."""
    token = formtokens.issue(context["request"])
    return format_html('<input type="hidden" name="{}" value="{}">', formtokens.FIELD_NAME, token)
