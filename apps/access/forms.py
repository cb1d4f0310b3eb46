"""Forms for granting, changing and removing a member's tenant access.

The contract's rules (apps/access/rules.py) are shown beside the fields and checked on submit,
so nothing Auth0 would refuse for its shape is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django import forms

from apps.access import rules
from apps.access.rules import AccessKind
from apps.core.errors import ServiceError
from apps.core.filters import FilterForm, SearchField
from apps.teamsapi.contract import TENANT_ROLE_LABELS

ROLE_CHOICES = list(TENANT_ROLE_LABELS.items())


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

    def clean_client_ids(self) -> list[str]:
        return rules.parse_client_ids(self.cleaned_data.get("client_ids") or "")


class AccessChangeForm(AccessGrantForm):
    """New tenant roles for tenants the member already accesses (they replace the old ones)."""

    kind = AccessKind.CHANGE


class MemberPickForm(FilterForm[str]):
    """The tenant picker's member search: text a database can hold, or nothing is listed."""

    q = SearchField(max_length=200, label="Search members")

    def to_filters(self, data: dict[str, Any]) -> str:
        return str(data["q"])
