"""Forms for Auth Tenants and their clients; the client secret is write-only."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.authtenants.features import KNOWN_SCOPES
from apps.authtenants.models import AuthClient, AuthTenant
from apps.authtenants.services import TENANT_INPUT_FIELDS, AuthClientInput, AuthTenantInput
from apps.core.errors import ServiceError


def add_service_errors(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a ServiceError's field errors on the form (unknown fields become form-wide errors)."""
    if not error.field_errors:
        form.add_error(None, error.message)
        return
    for field, messages in error.field_errors.items():
        form.add_error(field if field in form.fields else None, messages)


class AuthTenantForm(forms.ModelForm[AuthTenant]):
    class Meta:
        model = AuthTenant
        fields = list(TENANT_INPUT_FIELDS)
        labels = {
            "api_base_url_override": "API base URL override",
            "auth_base_url_override": "Auth base URL override",
        }
        help_texts = {
            "team_slug": "Your team's identifier, as in https://SLUG.teams.auth0.com.",
            "organization": "Optional Auth0 organization sent with token requests.",
            "audience_override": "Leave blank for https://SLUG.teams.auth0.com/api/.",
            "api_base_url_override": "Leave blank for https://SLUG.teams.auth0.com.",
            "auth_base_url_override": "Leave blank for https://DOMAIN.",
        }

    def clean_domain(self) -> str:
        return str(self.cleaned_data["domain"]).strip().lower()

    def clean_team_slug(self) -> str:
        return str(self.cleaned_data["team_slug"]).strip().lower()

    def to_input(self) -> AuthTenantInput:
        return AuthTenantInput(**{name: self.cleaned_data[name] for name in TENANT_INPUT_FIELDS})


class AuthClientForm(forms.Form):
    """Add or edit an M2M client; the secret field never renders a value."""

    label = forms.CharField(
        max_length=100, help_text="What this client is for, e.g. Owner actions."
    )
    client_id = forms.CharField(max_length=128, label="Client ID")
    secret = forms.CharField(
        label="Client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in KNOWN_SCOPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The scopes granted to this client in its Auth0 client grant.",
    )
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args: Any, auth_client: AuthClient | None = None, **kwargs: Any) -> None:
        if auth_client is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": auth_client.label,
                    "client_id": auth_client.client_id,
                    "scopes": sorted(auth_client.scope_set),
                    "enabled": auth_client.enabled,
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = auth_client is not None
        if self.editing:
            self.fields["secret"].help_text = "Leave blank to keep the stored secret."
        else:
            self.fields["secret"].required = True
            self.fields["secret"].help_text = "Stored encrypted; it is never shown again."

    def to_input(self) -> AuthClientInput:
        data = self.cleaned_data
        return AuthClientInput(
            label=data["label"],
            client_id=data["client_id"],
            scopes=" ".join(data["scopes"]),
            enabled=data["enabled"],
            secret=data["secret"],
        )
