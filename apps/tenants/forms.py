"""The Tenants page's filter form."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms

from apps.core.filters import FilterForm, SearchField
from apps.teamsapi.contract import EnvironmentTag


class TenantFilters(TypedDict):
    q: str
    environment: str
    environment_tag: str


class TenantFilterForm(FilterForm[TenantFilters]):
    q = SearchField(max_length=100, label="Search")
    environment = forms.ChoiceField(required=False, label="Environment")
    environment_tag = forms.ChoiceField(
        required=False,
        label="Tag",
        choices=[("", "Any tag"), *((tag.value, tag.value.capitalize()) for tag in EnvironmentTag)],
    )

    def __init__(self, *args: Any, environments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        environment_field: forms.ChoiceField = self.fields["environment"]  # type: ignore[assignment]
        environment_field.choices = [("", "Any environment"), *((e, e) for e in environments)]

    def to_filters(self, data: dict[str, Any]) -> TenantFilters:
        return TenantFilters(
            q=data["q"], environment=data["environment"], environment_tag=data["environment_tag"]
        )
