"""The Tenants pages' forms: the list filters, a new tenant, and the delete confirmation."""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.core.validators import RegexValidator
from django.db.models import TextChoices

from apps.core.filters import CarriedOptions, FilterForm, FilterSelect, SearchField
from apps.teamsapi.contract import (
    DEFAULT_ENVIRONMENT_TAG,
    LOCALITY_ENVIRONMENT,
    PUBLIC_LOCALITIES,
    EnvironmentTag,
)


class TenantFilters(TypedDict):
    q: str
    environment: str
    environment_tag: str


class TenantFilterForm(FilterForm[TenantFilters]):
    q = SearchField(max_length=100, label="Search")
    environment = forms.ChoiceField(required=False, label="Environment", widget=FilterSelect)
    environment_tag = forms.ChoiceField(
        required=False,
        label="Tag",
        widget=FilterSelect,
        choices=[("", "Any tag"), *((tag.value, tag.value.capitalize()) for tag in EnvironmentTag)],
    )

    def __init__(self, *args: Any, environments: CarriedOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.carried = (environments,)
        environment_field: forms.ChoiceField = self.fields["environment"]  # type: ignore[assignment]
        # A callable: read when a chosen value is checked or the select is drawn, not before.
        environment_field.choices = lambda: [
            ("", "Any environment"),
            *((e, e) for e in environments()),
        ]

    def to_filters(self, data: dict[str, Any]) -> TenantFilters:
        return TenantFilters(
            q=data["q"], environment=data["environment"], environment_tag=data["environment_tag"]
        )


# Readable names for the contract's public regions (§7 PublicCloudRegion), with their environment.
LOCALITY_NAMES = {
    "us": "United States",
    "eu": "Europe",
    "au": "Australia",
    "jp": "Japan",
    "ca": "Canada",
    "uk": "United Kingdom",
}


def locality_label(locality: str) -> str:
    name = LOCALITY_NAMES.get(locality, locality.upper())
    environment = LOCALITY_ENVIRONMENT.get(locality)
    return f"{name} ({environment})" if environment else name


# CONTRACT §5.1 (11): TenantName.
TENANT_NAME_PATTERN = r"^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]\Z"


class Cloud(TextChoices):
    PUBLIC = "public", "Public cloud"
    PRIVATE = "private", "Private cloud"


class TenantCreateForm(forms.Form):
    """A new tenant: public cloud in a region, or private cloud in one of the team's environments.

    Field names are the API's body fields, so the API's own field errors land beside them.
    """

    cloud = forms.ChoiceField(
        choices=Cloud.choices, initial=Cloud.PUBLIC, widget=forms.RadioSelect, label="Cloud"
    )
    tenant_name = forms.CharField(
        required=False,
        max_length=63,
        label="Tenant name",
        help_text=(
            "Optional: leave it empty and Auth0 picks a name. 3 to 63 lowercase letters, digits "
            "and dashes, not starting or ending with a dash."
        ),
        validators=[
            RegexValidator(
                TENANT_NAME_PATTERN,
                "Use 3 to 63 lowercase letters, digits and dashes, "
                "not starting or ending with a dash.",
            )
        ],
    )
    admin_email = forms.ChoiceField(
        label="Admin",
        help_text="A current team member; Auth0 makes them the new tenant's admin.",
    )
    locality = forms.ChoiceField(
        required=False,
        label="Region (public cloud)",
        choices=[(code, locality_label(code)) for code in PUBLIC_LOCALITIES],
        initial=PUBLIC_LOCALITIES[0],
    )
    environment_tag = forms.ChoiceField(
        required=False,
        label="Environment tag (public cloud)",
        choices=[(tag.value, tag.value.capitalize()) for tag in EnvironmentTag],
        initial=DEFAULT_ENVIRONMENT_TAG.value,
    )
    environment = forms.ChoiceField(required=False, label="Environment (private cloud)")

    def __init__(
        self, *args: Any, admin_emails: list[str], environments: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        admin: forms.ChoiceField = self.fields["admin_email"]  # type: ignore[assignment]
        admin.choices = [("", "Choose a team member"), *((e, e) for e in admin_emails)]
        environment: forms.ChoiceField = self.fields["environment"]  # type: ignore[assignment]
        environment.choices = [("", "Choose an environment"), *((e, e) for e in environments)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cloud") == Cloud.PRIVATE:
            if not data.get("environment"):
                self.add_error("environment", "Choose the private cloud environment.")
            data["locality"] = data["environment_tag"] = ""
        elif data.get("cloud") == Cloud.PUBLIC:
            if not data.get("locality"):
                self.add_error("locality", "Choose the region of the public cloud tenant.")
            data["environment"] = ""
        return data

    def api_values(self) -> dict[str, str]:
        """The cleaned values the create call takes (the cloud choice only selects among them)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "cloud"}


class TenantDeleteForm(forms.Form):
    """Type the tenant's name to confirm; anything else is refused."""

    confirm_name = forms.CharField(max_length=64, label="Type the tenant's name to confirm")

    def __init__(self, *args: Any, tenant_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant_name = tenant_name

    def clean_confirm_name(self) -> str:
        typed: str = self.cleaned_data["confirm_name"].strip()
        if typed != self.tenant_name:
            raise forms.ValidationError(
                f"That is not the tenant's name. Type {self.tenant_name} exactly to delete it."
            )
        return typed
