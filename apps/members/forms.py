"""The Members page's search form."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.members.selectors import MemberFilters


class MemberFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    role = forms.ChoiceField(required=False, label="Team role")

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = [("", "Any role"), *((r, r) for r in roles)]
        self.fields["q"].widget.attrs.update(placeholder="Name, email or user id", type="search")

    def filters(self) -> MemberFilters:
        """The valid filters; an invalid value is ignored (the form shows why)."""
        if not self.is_valid():
            return MemberFilters(q=self.data.get("q", "").strip()[:100])
        return MemberFilters(q=self.cleaned_data["q"].strip(), role=self.cleaned_data["role"])
