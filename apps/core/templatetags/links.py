"""`{% row_link "tenants:detail" as tenant_link %}` then `{{ tenant_link|with_id:tenant.tenant_id }}`."""

from __future__ import annotations

from django import template

from apps.core.links import RowLink

register = template.Library()


@register.simple_tag
def row_link(url_name: str) -> RowLink:
    """Reverse the row route once, before the table's loop."""
    return RowLink(url_name)


@register.filter
def with_id(link: RowLink, row_id: object) -> str:
    """The row's URL: what `{% url name row_id %}` gives, without a reverse() per row."""
    return link.url(row_id)
