"""The People pages' forms: find a person by email, confirm their offboarding."""

from __future__ import annotations

from django import forms

EMAIL_MAX = 320


class PersonSearchForm(forms.Form):
    email = forms.CharField(
        max_length=EMAIL_MAX,
        required=False,
        label="Email",
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OffboardForm(forms.Form):
    """The email comes from the page (hidden); the owner types it again to confirm."""

    email = forms.CharField(max_length=EMAIL_MAX, widget=forms.HiddenInput)
    confirmation = forms.CharField(
        max_length=EMAIL_MAX,
        label="Type the email address to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
