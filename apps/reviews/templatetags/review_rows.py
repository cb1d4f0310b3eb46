"""`{% queue_rows … %}` and `{% report_rows items %}`: an access review's rows, built in Python.

A queue page is 50 rows and a report every item of the review (thousands in a large team);
through a per-row include the template engine spent more on their lookups than the page on
everything else. The cells read as the templates wrote them, and every value is escaped as the
template would (apps/core/rowhtml.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from django import template
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from apps.core.rowhtml import day, format_row
from apps.reviews.models import ApplyState, Decision, ReviewItem
from apps.teamsapi.contract import role_label

register = template.Library()

_CELLS = (
    '<td>{person}</td><td>{tenant}</td><td>{roles}</td><td class="nowrap">{since}</td>'
    '<td class="nowrap">{active}</td><td>{decision}</td>'
)
_CHECKBOX = (
    '<td><input type="checkbox" name="items" value="{pk}" id="item-{pk}" '
    'aria-label="Choose {label}"{checked}></td>'
)
_GROUP = '<tr class="group"><th colspan="7" scope="colgroup">{}</th></tr>'
_MUTED = '<span class="muted">{}</span>'
_TEAM = SafeString('<span class="badge">Team role</span> <span class="muted">whole team</span>')
_NONE = SafeString(_MUTED.format("none"))
_NO_ACTIVITY = SafeString(_MUTED.format("No activity seen"))
_NOT_DECIDED = SafeString(_MUTED.format("Not decided"))
_EMPTY = SafeString("")
_WARN = frozenset({Decision.REMOVE, Decision.FLAGGED})


def _moment(value: datetime | None) -> str:
    if not value:
        return "—"
    return dateformat.format(timezone.localtime(value), formats.get_format("DATETIME_FORMAT"))


def _labels(roles: Iterable[str]) -> str:
    return ", ".join(role_label(role) for role in roles)


def _person(item: ReviewItem) -> SafeString:
    parts = [format_row("{}", item.member_name or item.member_email)]
    if item.member_name:
        parts.append(format_row('<br><span class="muted break-all">{}</span>', item.member_email))
    if item.team_role:
        parts.append(format_row('<br><span class="muted">{}</span>', role_label(item.team_role)))
    return SafeString("".join(parts))


def _tenant(item: ReviewItem) -> SafeString:
    if item.is_team_role:
        place = _TEAM
    elif item.environment_tag:
        place = format_row(
            '{} <span class="badge">{}</span>', item.tenant_name, capfirst(item.environment_tag)
        )
    else:
        place = format_row("{}", item.tenant_name)
    if not item.reviewer_username:
        return place
    return format_row(
        '{}<br><span class="muted">Reviewer: {}</span>', place, item.reviewer_username
    )


def _since(item: ReviewItem) -> SafeString:
    text = day(item.since) or "—"
    if item.is_team_role:
        return format_row('{}<br><span class="muted">in the team</span>', text)
    return format_row("{}", text)


def _decision(item: ReviewItem) -> SafeString:
    if item.decision == Decision.UNDECIDED:
        return _NOT_DECIDED
    css = "badge warn" if item.decision in _WARN else "badge"
    parts = [format_row('<span class="{}">{}</span>', css, item.get_decision_display())]
    if item.reduce_to:
        parts.append(format_row(" to {}", _labels(item.reduce_to)))
    if item.decided_by_username:
        parts.append(format_row(' <span class="muted">by {}</span>', item.decided_by_username))
    if item.justification:
        parts.append(format_row('<br><span class="muted">“{}”</span>', item.justification))
    return SafeString("".join(parts))


def _cells(item: ReviewItem) -> SafeString:
    return format_row(
        _CELLS,
        person=_person(item),
        tenant=_tenant(item),
        roles=_labels(item.roles) if item.roles else _NONE,
        since=_since(item),
        active=day(item.last_active) or _NO_ACTIVITY,
        decision=_decision(item),
    )


def _by_person(item: ReviewItem) -> tuple[str, str]:
    return item.member_email, item.member_name or item.member_email


def _by_tenant(item: ReviewItem) -> tuple[str, str]:
    return item.tenant_name, item.tenant_name or "Team roles"


# Grouping → (what a group shares, its heading) of a row; the queue sorts rows that way.
_GROUPINGS: dict[str, Callable[[ReviewItem], tuple[str, str]]] = {
    "person": _by_person,
    "tenant": _by_tenant,
}


@register.simple_tag
def queue_rows(
    items: Iterable[ReviewItem],
    group: str,
    can_decide: bool,
    choosable: Collection[int],
    chosen: Collection[str],
) -> SafeString:
    """The queue's rows with a heading row where the tenant (or person) changes, and a checkbox
    on each item the reader may choose (ticked again when the form comes back)."""
    grouping = _GROUPINGS.get(group, _by_tenant)
    rows: list[str] = []
    previous = None
    for item in items:
        key, heading = grouping(item)
        if key != previous:
            rows.append(format_row(_GROUP, heading))
            previous = key
        box = _checkbox(item, choosable, chosen) if can_decide else ""
        rows.append(f"<tr>{box}{_cells(item)}</tr>")
    return SafeString("".join(rows))


def _checkbox(item: ReviewItem, choosable: Collection[int], chosen: Collection[str]) -> str:
    if item.pk not in choosable:
        return "<td></td>"
    checked = SafeString(" checked") if str(item.pk) in chosen else _EMPTY
    return format_row(_CHECKBOX, pk=item.pk, label=str(item), checked=checked)


def _applied(item: ReviewItem) -> SafeString:
    if not item.apply_state:
        return SafeString(_MUTED.format("—"))
    css = "badge warn" if item.apply_state == ApplyState.FAILED else "badge"
    badge = format_row('<span class="{}">{}</span>', css, item.get_apply_state_display())
    if item.apply_result and item.apply_state != ApplyState.DONE:
        return format_row('{}<br><span class="muted">{}</span>', badge, item.apply_result)
    return badge


@register.simple_tag
def report_rows(items: Iterable[ReviewItem]) -> SafeString:
    """The report's rows: each item's cells, when it was decided and what applying it did."""
    return SafeString(
        "".join(
            format_row(
                '<tr>{}<td class="nowrap">{}</td><td>{}</td></tr>',
                _cells(item),
                _moment(item.decided_at),
                _applied(item),
            )
            for item in items
        )
    )
