"""Django admin for Auth Tenants; the client secret is write-only there too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apps.authtenants.models import TOKEN_STATUS_FIELDS, AuthClient, AuthTenant


class AuthClientAdminForm(forms.ModelForm[AuthClient]):
    """Edits a client; the secret field never renders the stored value."""

    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave blank to keep the stored secret.",
    )

    class Meta:
        model = AuthClient
        fields = ["auth_tenant", "label", "client_id", "scopes", "enabled"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.instance.pk and not cleaned.get("secret"):
            self.add_error("secret", "Enter the client secret.")
        return cleaned

    def save(self, commit: bool = True) -> AuthClient:
        secret = self.cleaned_data.get("secret")
        if secret:
            self.instance.set_secret(secret)
        return super().save(commit=commit)


class AuthClientInline(admin.TabularInline[AuthClient, AuthTenant]):
    model = AuthClient
    form = AuthClientAdminForm
    fields = ("label", "client_id", "secret", "scopes", "enabled")
    extra = 0


@admin.register(AuthTenant)
class AuthTenantAdmin(admin.ModelAdmin[AuthTenant]):
    list_display = ("name", "team_slug", "domain", "region", "cloud", "enabled")
    list_filter = ("enabled", "region", "cloud")
    search_fields = ("name", "team_slug", "domain")
    inlines = [AuthClientInline]


@admin.register(AuthClient)
class AuthClientAdmin(admin.ModelAdmin[AuthClient]):
    form = AuthClientAdminForm
    list_display = ("label", "client_id", "auth_tenant", "enabled", "token_last_ok_at")
    list_filter = ("enabled", "auth_tenant")
    search_fields = ("label", "client_id")
    fields = (
        "auth_tenant",
        "label",
        "client_id",
        "secret",
        "scopes",
        "enabled",
        *TOKEN_STATUS_FIELDS,
    )
    readonly_fields = TOKEN_STATUS_FIELDS
