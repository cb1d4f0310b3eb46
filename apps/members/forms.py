"""The Members pages' forms: search, invite, change a team role, filter and withdraw invitations."""

from __future__ import annotations

import re
from typing import Any, TypedDict

from django import forms

from apps.core.filters import CarriedOptions, FilterForm, FilterSelect, SearchField
from apps.directory.invitations import AGE_LABELS
from apps.directory.models import Invitation
from apps.members import bulk, rules
from apps.teamsapi.contract import (
    TEAM_ROLE_LABELS,
    TENANT_ROLE_LABELS,
    TeamRole,
    TenantRole,
    role_label,
)


class MemberFilters(TypedDict):
    q: str
    role: str


class MemberFilterForm(FilterForm[MemberFilters]):
    q = SearchField(max_length=100, label="Search")
    role = forms.ChoiceField(required=False, label="Team role", widget=FilterSelect)

    def __init__(self, *args: Any, roles: CarriedOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.carried = (roles,)
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        # A callable: read when a chosen role is checked or the select is drawn, not before.
        role_field.choices = lambda: [("", "Any role"), *((r, role_label(r)) for r in roles())]
        self.fields["q"].widget.attrs.update(placeholder="Name, email or user id", type="search")

    def to_filters(self, data: dict[str, Any]) -> MemberFilters:
        return MemberFilters(q=data["q"], role=data["role"])


TEAM_ROLE_CHOICES = list(TEAM_ROLE_LABELS.items())
# Deprecated (§7): shown when someone holds it, never offered for new access.
INVITE_TENANT_ROLE_CHOICES = [
    (role, label) for role, label in TENANT_ROLE_LABELS.items() if role != TenantRole.SUPPORT_ACCESS
]
TENANT_ORDER_WARNING = (
    "Auth0 trap: tenant access granted before someone has joined the team can send them "
    "round in a loop when they sign in. Safer: invite with the team role only, then grant "
    "tenant access from their member page once they have joined."
)


def _split_ids(value: str) -> list[str]:
    return list(dict.fromkeys(part for part in re.split(r"[\s,]+", value) if part))


class MemberInviteForm(forms.Form):
    """Invite someone: the contract's rules are in the help texts and enforced in clean()."""

    email = forms.EmailField(max_length=320, label="Email")
    role = forms.ChoiceField(choices=TEAM_ROLE_CHOICES, label="Team role")
    tenants = forms.MultipleChoiceField(
        required=False, label="Tenants", help_text=rules.TENANTS_HELP
    )
    tenant_roles = forms.MultipleChoiceField(
        required=False,
        choices=INVITE_TENANT_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Tenant roles",
        help_text=rules.TENANT_ROLES_HELP,
    )
    client_ids = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="App (client) ids",
        help_text=rules.CLIENT_IDS_HELP,
    )
    tenant_order_confirmed = forms.BooleanField(
        required=False,
        label="I understand: send the tenant access with the invitation anyway",
    )

    def __init__(self, *args: Any, tenants: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tenant_field: forms.MultipleChoiceField = self.fields["tenants"]  # type: ignore[assignment]
        tenant_field.choices = tenants
        tenant_field.widget.attrs.update(size=str(min(8, max(2, len(tenants)))))
        self.fields["role"].initial = TeamRole.CONTRIBUTOR
        self.fields["email"].widget.attrs.update(autocomplete="off", placeholder="name@example.com")

    def clean_client_ids(self) -> list[str]:
        return _split_ids(self.cleaned_data.get("client_ids") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tenant_ids = data.get("tenants") or []
        problems = rules.invite_problems(
            tenant_ids=tenant_ids,
            tenant_roles=data.get("tenant_roles") or [],
            client_ids=data.get("client_ids") or [],
        )
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field, message)
        if tenant_ids and not problems and not data.get("tenant_order_confirmed"):
            self.add_error(
                "tenant_order_confirmed",
                "Tick this to send tenant access with the invitation anyway, or clear the "
                "tenants and grant access after the person has joined.",
            )
        return data


class InvitationFilters(TypedDict):
    state: str
    sender: str
    age: str


class InvitationFilterForm(FilterForm[InvitationFilters]):
    state = forms.ChoiceField(
        required=False,
        label="State",
        choices=[("", "Any state"), *Invitation.State.choices],
        widget=FilterSelect,
    )
    sender = forms.ChoiceField(required=False, label="Sent by", widget=FilterSelect)
    age = forms.ChoiceField(
        required=False,
        label="Age",
        choices=[("", "Any age"), *AGE_LABELS.items()],
        widget=FilterSelect,
    )

    def __init__(self, *args: Any, senders: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sender_field: forms.ChoiceField = self.fields["sender"]  # type: ignore[assignment]
        sender_field.choices = [("", "Anyone"), *((name, name) for name in senders)]

    def to_filters(self, data: dict[str, Any]) -> InvitationFilters:
        return InvitationFilters(state=data["state"], sender=data["sender"], age=data["age"])


class InvitationWithdrawForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason (optional)",
        help_text="Kept with the invitation and in the dashboard actions.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=TEAM_ROLE_CHOICES, label="New team role")


BULK_FILE_HELP = (
    "A CSV file (UTF-8) with the columns email, team role, tenants, tenant roles, app ids; only "
    "the email is needed. Several tenants, tenant roles or app ids in one cell are separated by ; "
    f"or |. Up to {bulk.MAX_ROWS:,} lines."
)
BULK_PASTE_HELP = (
    "The same columns separated by commas or tabs (as copied from a spreadsheet), one person "
    "per line; a line with just an email invites a Contributor."
)


class BulkInviteUploadForm(forms.Form):
    """A list of invitations, uploaded or pasted; clean() reads it into `text`."""

    file = forms.FileField(required=False, label="CSV file", help_text=BULK_FILE_HELP)
    pasted = forms.CharField(
        required=False,
        max_length=bulk.MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "ana@example.com,Contributor"}),
        label="Or paste the list",
        help_text=BULK_PASTE_HELP,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = bulk.decode(upload.read(bulk.MAX_BYTES + 1))
            except bulk.ListRefused as refused:
                self.add_error("file", refused.message)
            data["source"] = str(upload.name or "Uploaded file")
        elif data.get("pasted", "").strip():
            data["text"], data["source"] = data["pasted"], "Pasted list"
        elif not self.errors:
            self.add_error(None, "Choose a CSV file or paste a list.")
        return data


class BulkInviteSendForm(forms.Form):
    tenant_order_confirmed = forms.BooleanField(
        required=False,
        label="I understand: send the tenant access with the invitations anyway",
    )
