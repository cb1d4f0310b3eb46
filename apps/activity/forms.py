"""The activity page's filter form; the CSV export reads the same query string."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from apps.activity.selectors import ActivityFilters
from apps.authtenants.current import QUERY_PARAM
from apps.authtenants.models import AuthTenant
from apps.core.filters import DayField, FilterForm, FilterSelect, SearchField
from apps.teamsapi.contract import ActivityStatus, ActivityType, ActorType

# Quick ranges reach back from now; "custom" reads the From and To days.
QUICK_RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
CUSTOM = "custom"


class ActivityFilterForm(FilterForm[ActivityFilters]):
    auth_tenant = forms.TypedChoiceField(
        required=False, label="Team", coerce=int, widget=FilterSelect
    )
    q = SearchField(max_length=200, label="Search")
    range = forms.ChoiceField(
        required=False,
        label="When",
        widget=FilterSelect,
        choices=[
            ("", "Any time"),
            ("24h", "Last 24 hours"),
            ("7d", "Last 7 days"),
            ("30d", "Last 30 days"),
            (CUSTOM, "Custom dates"),
        ],
    )
    since = DayField(label="From")
    until = DayField(label="To")
    type = forms.ChoiceField(
        required=False,
        label="Type",
        widget=FilterSelect,
        choices=[("", "Any type"), *((t.value, t.value) for t in ActivityType)],
    )
    status = forms.ChoiceField(
        required=False,
        label="Status",
        widget=FilterSelect,
        choices=[("", "Any status"), *((s.value, s.value) for s in ActivityStatus)],
    )
    actor = SearchField(max_length=200, label="Actor")
    actor_type = forms.ChoiceField(
        required=False,
        label="Actor kind",
        widget=FilterSelect,
        choices=[
            ("", "Users and machines"),
            (ActorType.USER, "Users"),
            (ActorType.MACHINE, "Machines"),
        ],
    )
    target = SearchField(max_length=200, label="Target")

    def __init__(
        self,
        *args: Any,
        auth_tenants: Sequence[AuthTenant] = (),
        current: AuthTenant | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.TypedChoiceField", self.fields[QUERY_PARAM])
        field.choices = [(a.pk, a.name) for a in auth_tenants]
        if current is not None:
            field.initial = current.pk
        placeholders = {
            "q": "Words in the event or its details",
            "actor": "Name or id",
            "target": "Member email or id, tenant name or id",
        }
        for name, placeholder in placeholders.items():
            self.fields[name].widget.attrs.update(placeholder=placeholder, type="search")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def to_filters(self, data: dict[str, Any]) -> ActivityFilters:
        since, until = _bounds(data["range"], data["since"], data["until"])
        return ActivityFilters(
            type=data["type"],
            status=data["status"],
            actor=data["actor"],
            actor_type=data["actor_type"],
            target=data["target"],
            q=data["q"],
            since=since,
            until=until,
        )


def _bounds(
    quick: str, since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    """The range's start (inclusive) and end (exclusive); days count when no quick range is set."""
    if quick in QUICK_RANGES:
        return timezone.now() - QUICK_RANGES[quick], None
    return (
        _day_start(since) if since else None,
        # The end date is inclusive for people; the selector's `until` is exclusive.
        _day_start(until + timedelta(days=1)) if until else None,
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
