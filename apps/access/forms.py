"""Forms for granting, changing and removing a member's tenant access.

The contract's rules (apps/access/rules.py) are shown beside the fields and checked on submit,
so nothing Auth0 would refuse for its shape is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from django import forms

from apps.access import expiry, rules
from apps.access.rules import AccessKind
from apps.core.errors import ServiceError
from apps.core.filters import FilterForm, SearchField
from apps.teamsapi.contract import TENANT_ROLE_LABELS

ROLE_CHOICES = list(TENANT_ROLE_LABELS.items())


class UntilField(forms.DateTimeField):
    """An access's end, typed in the display time zone; checked against expiry.until_errors."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Access ends")
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        kwargs.setdefault("error_messages", {"required": "Pick when the access ends."})
        super().__init__(
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"], **kwargs
        )

    def to_python(self, value: Any) -> datetime | None:
        try:
            moment = super().to_python(value)
        except (OverflowError, ValueError) as error:  # a year Python or the zone cannot hold
            raise forms.ValidationError(
                "Enter a date and time such as 2026-12-31 17:00."
            ) from error
        return moment

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            errors = expiry.until_errors(value)
            if errors:
                raise forms.ValidationError(errors)


class AccessForm(forms.Form):
    """Tenants picked from `tenant_choices` ((tenant id, label) pairs from the mirror)."""

    kind: ClassVar[AccessKind] = AccessKind.REVOKE

    tenants = forms.MultipleChoiceField(
        label="Tenants",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one tenant."},
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        tenant_choices: Sequence[tuple[str, str]],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["tenants"].choices = list(tenant_choices)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned.setdefault("roles", [])
        cleaned.setdefault("client_ids", [])
        if self.errors:
            return cleaned
        found = rules.violations(
            self.kind,
            tenant_ids=cleaned.get("tenants", []),
            roles=cleaned["roles"],
            client_ids=cleaned["client_ids"],
        )
        for field, messages in found.items():
            for message in messages:
                self.add_error(field, message)
        return cleaned

    def add_service_error(self, error: ServiceError) -> None:
        """Show a service's refusal: field errors on their fields, the message at the top."""
        for field, messages in error.field_errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        self.add_error(None, error.message)


class AccessRevokeForm(AccessForm):
    kind = AccessKind.REVOKE


class AccessGrantForm(AccessForm):
    """Tenants and the tenant roles to give on each, with app ids for “Editor – Specific apps”."""

    kind = AccessKind.GRANT

    roles = forms.MultipleChoiceField(
        label="Tenant roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one tenant role."},
    )
    client_ids = forms.CharField(
        label="App (client) ids",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            f"Only for “{rules.SPECIFIC_APPS_LABEL}”: the apps the member may edit, one per line "
            "or separated by commas."
        ),
    )

    until = UntilField(
        required=False,
        help_text="Optional: the access ends on its own then (within a minute). Leave empty to keep it.",
    )

    def clean_client_ids(self) -> list[str]:
        return rules.parse_client_ids(self.cleaned_data.get("client_ids") or "")


class AccessChangeForm(AccessGrantForm):
    """New tenant roles for tenants the member already accesses (they replace the old ones)."""

    kind = AccessKind.CHANGE
    until = None  # type: ignore[assignment]  # changing roles keeps the access's end


class ExpiryForm(forms.Form):
    """A new end for a time-boxed access."""

    until = UntilField(required=True)


class ColleaguePickForm(FilterForm[str]):
    """Copy access: the colleague search, by email or name."""

    q = SearchField(max_length=200, label="Search colleagues")

    def to_filters(self, data: dict[str, Any]) -> str:
        return str(data["q"])


class MemberPickForm(FilterForm[str]):
    """The tenant picker's member search: text a database can hold, or nothing is listed."""

    q = SearchField(max_length=200, label="Search members")

    def to_filters(self, data: dict[str, Any]) -> str:
        return str(data["q"])
