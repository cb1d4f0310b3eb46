"""Access review forms: create a review, decide a selection of items, filter the queue."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.core.capabilities import Role
from apps.reviews.models import Decision, DueDefault, Recurrence, ScopeKind
from apps.teamsapi.contract import TENANT_ROLE_LABELS

REVIEWER_CHOICES = [(Role.OWNER.value, "Owners"), (Role.AUDITOR.value, "Auditors")]
DUE_DAYS_MAX = 365


class ReviewCreateForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name", initial="Quarterly access review")
    scope_kind = forms.ChoiceField(
        choices=ScopeKind.choices, widget=forms.RadioSelect, label="Which tenants"
    )
    environment_tag = forms.ChoiceField(
        required=False, label="Environment tag", help_text="With “Tenants with an environment tag”."
    )
    tenants = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tenants",
        help_text="With “Chosen tenants”.",
    )
    reviewer_roles = forms.MultipleChoiceField(
        choices=REVIEWER_CHOICES,
        initial=[Role.AUDITOR.value],
        widget=forms.CheckboxSelectMultiple,
        label="Reviewers",
    )
    due_days = forms.IntegerField(
        min_value=1,
        max_value=DUE_DAYS_MAX,
        initial=14,
        label="Due after (days)",
        help_text="Counted from when each review opens.",
    )
    recurrence = forms.ChoiceField(choices=Recurrence.choices, label="Repeat")
    due_default = forms.ChoiceField(
        choices=DueDefault.choices,
        initial=DueDefault.KEEP,
        label="Items not reviewed by the due date",
    )
    apply_on_close = forms.BooleanField(
        required=False, label="Apply the decisions when the review closes"
    )

    def __init__(
        self, *args: Any, tags: list[str], tenants: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment_tag"].choices = [  # type: ignore[attr-defined]
            (tag, tag.capitalize()) for tag in tags
        ]
        self.fields["tenants"].choices = tenants  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("scope_kind")
        if kind == ScopeKind.ENVIRONMENT and not data.get("environment_tag"):
            self.add_error("environment_tag", "Choose the environment tag to review.")
        if kind == ScopeKind.CHOSEN and not data.get("tenants"):
            self.add_error("tenants", "Choose at least one tenant.")
        return data


DECISION_CHOICES = [
    (Decision.KEEP.value, "Keep"),
    (Decision.REMOVE.value, "Remove access"),
    (Decision.REDUCE.value, "Reduce to roles…"),
]


class ItemIdsField(forms.TypedMultipleChoiceField):
    """Item ids as posted by the queue's checkboxes; the service keeps those of the campaign."""

    def valid_value(self, value: Any) -> bool:
        text = str(value)
        return text.isascii() and text.isdigit() and len(text) <= 12


class DecideForm(forms.Form):
    items = ItemIdsField(
        coerce=int, label="Items", error_messages={"required": "Choose at least one item."}
    )
    decision = forms.ChoiceField(choices=DECISION_CHOICES, label="Decision")
    roles = forms.MultipleChoiceField(
        required=False,
        choices=list(TENANT_ROLE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Roles to keep (for “Reduce to roles”)",
    )
    justification = forms.CharField(
        required=False,
        max_length=500,
        label="Justification",
        help_text="Needed to remove or reduce access.",
        widget=forms.TextInput,
    )


class QueueForm(forms.Form):
    group = forms.ChoiceField(
        required=False,
        choices=[("tenant", "By tenant"), ("person", "By person")],
        label="Group",
    )
    show = forms.ChoiceField(
        required=False,
        choices=[
            ("pending", "Not decided yet"),
            ("flagged", "Flagged for an owner"),
            ("all", "All items"),
        ],
        label="Show",
    )

    def group_or_default(self) -> str:
        return (self.cleaned_data.get("group") if self.is_valid() else "") or "tenant"

    def show_or_default(self, *, closed: bool) -> str:
        """Which items: those still to decide, by default; on a closed review, every item."""
        chosen = self.cleaned_data.get("show") if self.is_valid() else ""
        return chosen or ("all" if closed else "pending")
