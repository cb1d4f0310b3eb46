"""The Tenants page's filter form."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.teamsapi.contract import EnvironmentTag
from apps.tenants.selectors import TenantFilters


class TenantFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    environment = forms.ChoiceField(required=False, label="Environment")
    environment_tag = forms.ChoiceField(
        required=False,
        label="Tag",
        choices=[("", "Any tag"), *((tag.value, tag.value.capitalize()) for tag in EnvironmentTag)],
    )

    def __init__(self, *args: Any, environments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        environment_field: forms.ChoiceField = self.fields["environment"]  # type: ignore[assignment]
        environment_field.choices = [
            ("", "Any environment"),
            *((e, e) for e in environments),
        ]

    def filters(self) -> TenantFilters:
        """The valid filters; an invalid value is ignored (the form shows why)."""
        if not self.is_valid():
            return TenantFilters(q=self.data.get("q", "").strip()[:100])
        data = self.cleaned_data
        return TenantFilters(
            q=data["q"].strip(),
            environment=data["environment"],
            environment_tag=data["environment_tag"],
        )
