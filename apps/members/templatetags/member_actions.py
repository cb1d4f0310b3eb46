"""`{% member_actions as actions %}`: the Members pages' action buttons, shaped by role and scopes."""

from __future__ import annotations

from django import template

from apps.members import selectors
from apps.members.forms import TEAM_ROLE_CHOICES

register = template.Library()


@register.simple_tag(takes_context=True)
def member_actions(context: template.Context) -> selectors.MemberActions:
    request = context.get("request")
    return selectors.member_actions(
        user=getattr(request, "user", None), auth_tenant=context.get("auth_tenant")
    )


@register.simple_tag
def team_role_choices() -> list[tuple[str, str]]:
    """The team roles as (slug, label), for the inline role form on a member's page."""
    return TEAM_ROLE_CHOICES
