"""The activity page's filter form; the CSV export reads the same query string."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from apps.activity.selectors import ActivityFilters
from apps.core.filters import DayField, FilterForm, SearchField
from apps.teamsapi.contract import ActivityStatus, ActivityType


class ActivityFilterForm(FilterForm[ActivityFilters]):
    q = SearchField(max_length=200, label="Search")
    type = forms.ChoiceField(
        required=False,
        label="Type",
        choices=[("", "Any type"), *((t.value, t.value) for t in ActivityType)],
    )
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), *((s.value, s.value) for s in ActivityStatus)],
    )
    actor = SearchField(max_length=200, label="Actor")
    since = DayField(label="From")
    until = DayField(label="To")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(placeholder="Event, actor, IP or host", type="search")
        self.fields["actor"].widget.attrs.update(placeholder="Name or id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def to_filters(self, data: dict[str, Any]) -> ActivityFilters:
        return ActivityFilters(
            type=data["type"],
            status=data["status"],
            actor=data["actor"],
            q=data["q"],
            since=_day_start(data["since"]) if data["since"] else None,
            # The end date is inclusive for people; the selector's `until` is exclusive.
            until=_day_start(data["until"] + timedelta(days=1)) if data["until"] else None,
        )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
