"""The Dashboard actions page's filters and page position, read from the query string."""

from __future__ import annotations

from django import forms

from apps.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        required=False, label="Action", choices=[("", "Any action"), *AuditAction.choices]
    )
    user = forms.CharField(required=False, max_length=150, label="User")
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].widget.attrs.update(placeholder="Username", type="search")

    def value(self, name: str) -> str:
        """A cleaned filter as text ("" when absent or invalid), for the selector."""
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")

    def position(self, name: str) -> int | None:
        """The keyset position `before` or `after`, when valid."""
        if not self.is_valid():
            return None
        value = self.cleaned_data.get(name)
        return int(value) if value else None
