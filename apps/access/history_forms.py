"""The access history pages' filters: a date (and time) or two, and whose access to look at.

A date alone means the whole day in the display time zone; with a time, that instant. Blank
dates mean now (access on a date) or the last RECENT_DAYS days (changes), so the links from a
member's or a tenant's page open on something useful.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from apps.authtenants.models import AuthTenant
from apps.core.filters import DayField, FilterForm, SearchField
from apps.directory import history
from apps.directory.history import Scope, Window
from apps.directory.models import DirectoryTenant

RECENT_DAYS = 30


@dataclass(frozen=True)
class HistoryFilters:
    window: Window
    scope: Scope


class TimeField(forms.TimeField):
    """An optional time of day (hours and minutes) beside a date."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TimeInput(attrs={"type": "time", "step": "1"}))
        super().__init__(**kwargs)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _tenant_label(tenant: DirectoryTenant) -> str:
    label = f"{tenant.tenant_name} · {tenant.environment}"
    return f"{label} (removed)" if tenant.removed_at else label


class _HistoryForm(FilterForm[HistoryFilters]):
    """Whose access: a tenant picked by name (removed ones too) and/or a member's email."""

    tenant = forms.ChoiceField(required=False, label="Tenant")
    member = SearchField(max_length=320, label="Member email")

    def __init__(self, *args: Any, auth_tenant: AuthTenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auth_tenant = auth_tenant
        tenant_field: forms.ChoiceField = self.fields["tenant"]  # type: ignore[assignment]
        tenant_field.choices = [
            ("", "All tenants"),
            *(
                (tenant.tenant_id, _tenant_label(tenant))
                for tenant in history.history_tenants(auth_tenant=auth_tenant)
            ),
        ]
        self.fields["member"].widget.attrs.update(placeholder="Everyone", type="search")

    def clean_member(self) -> str:
        email: str = self.cleaned_data["member"].strip()
        if email and not history.history_knows_email(auth_tenant=self.auth_tenant, email=email):
            raise forms.ValidationError("Nobody with this email has been a member of the team.")
        return email

    def _time_needs_date(self, day_field: str, time_field: str) -> None:
        if self.cleaned_data.get(time_field) and not self.cleaned_data.get(day_field):
            self.add_error(time_field, "Enter a date for this time.")

    def scope(self, data: dict[str, Any]) -> Scope:
        return Scope(tenant_id=data["tenant"], email=data["member"])


class AsOfForm(_HistoryForm):
    """Access on a date: who had access during that day, or at that minute."""

    date = DayField(label="Date")
    time = TimeField(label="Time")

    field_order = ["date", "time", "tenant", "member"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._time_needs_date("date", "time")
        return data

    def to_filters(self, data: dict[str, Any]) -> HistoryFilters:
        day, moment = data["date"], data["time"]
        if day is None:
            window = Window.moment(timezone.now())
        elif moment is None:
            window = Window(_day_start(day), _day_start(day + timedelta(days=1)))
        else:
            window = Window.moment(_at(day, moment))
        return HistoryFilters(window=window, scope=self.scope(data))


class ChangesForm(_HistoryForm):
    """Changes between two dates, both included: from the first's start to the second's end."""

    since = DayField(label="From")
    since_time = TimeField(label="From time")
    until = DayField(label="To")
    until_time = TimeField(label="To time")

    field_order = ["since", "since_time", "until", "until_time", "tenant", "member"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._time_needs_date("since", "since_time")
        self._time_needs_date("until", "until_time")
        if not self.errors:
            data["window"] = window = self._window(data)
            if window.end <= window.start:
                self.add_error("until", "The end is before the start.")
        return data

    @staticmethod
    def _window(data: dict[str, Any]) -> Window:
        now = timezone.now()
        since, until = data.get("since"), data.get("until")
        if since is None:
            start = now - timedelta(days=RECENT_DAYS)
        else:
            start = _at(since, data.get("since_time") or time.min)
        if until is None:
            end = now
        elif data.get("until_time") is None:
            end = _day_start(until + timedelta(days=1))
        else:
            end = Window.moment(_at(until, data["until_time"])).end  # the instant given is included
        return Window(start, end)

    def to_filters(self, data: dict[str, Any]) -> HistoryFilters:
        return HistoryFilters(window=data["window"], scope=self.scope(data))
