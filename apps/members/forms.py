"""The Members page's search form."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms

from apps.core.filters import FilterForm, SearchField
from apps.teamsapi.contract import role_label


class MemberFilters(TypedDict):
    q: str
    role: str


class MemberFilterForm(FilterForm[MemberFilters]):
    q = SearchField(max_length=100, label="Search")
    role = forms.ChoiceField(required=False, label="Team role")

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = [("", "Any role"), *((r, role_label(r)) for r in roles)]
        self.fields["q"].widget.attrs.update(placeholder="Name, email or user id", type="search")

    def to_filters(self, data: dict[str, Any]) -> MemberFilters:
        return MemberFilters(q=data["q"], role=data["role"])
