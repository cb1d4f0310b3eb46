"""The Dashboard actions page's filters and page position, read from the query string."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms

from apps.audit.models import AuditAction
from apps.core.filters import FilterForm, SearchField


class AuditFilters(TypedDict):
    q: str
    action: str
    actor: str
    before_id: int | None
    after_id: int | None


class AuditFilterForm(FilterForm[AuditFilters]):
    q = SearchField(max_length=200, label="Search")
    action = forms.ChoiceField(
        required=False, label="Action", choices=[("", "Any action"), *AuditAction.choices]
    )
    user = SearchField(max_length=150, label="User")
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            placeholder="Target, parameter, message", type="search"
        )
        self.fields["user"].widget.attrs.update(placeholder="Username", type="search")

    def to_filters(self, data: dict[str, Any]) -> AuditFilters:
        return AuditFilters(
            q=data["q"],
            action=data["action"],
            actor=data["user"],
            before_id=data["before"],
            after_id=data["after"],
        )
