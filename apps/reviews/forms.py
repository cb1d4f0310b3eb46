"""Access review forms: create a review, change its reviewers, decide a selection of items,
filter the queue."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.core.capabilities import Role
from apps.reviews.models import Decision, DueDefault, Recurrence, ScopeKind
from apps.teamsapi.contract import TEAM_ROLE_LABELS, TENANT_ROLE_LABELS, TeamRole

REVIEWER_CHOICES = [(Role.OWNER.value, "Owners"), (Role.AUDITOR.value, "Auditors")]
DUE_DAYS_MAX = 365


class ReviewersForm(forms.Form):
    """Who reviews: dashboard roles for every item, and optionally one user per tenant."""

    reviewer_roles = forms.MultipleChoiceField(
        choices=REVIEWER_CHOICES,
        initial=[Role.AUDITOR.value],
        widget=forms.CheckboxSelectMultiple,
        label="Reviewers",
        help_text="They review every item without a reviewer of its own (below).",
        error_messages={"required": "Choose who reviews the items without their own reviewer."},
    )

    def __init__(
        self,
        *args: Any,
        tenants: list[tuple[str, str]],
        reviewers: list[tuple[str, str]],
        assigned: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # One optional pick per tenant, named by position: tenant ids stay out of field names.
        self.tenant_reviewer_fields = []
        for index, (tenant_id, tenant_name) in enumerate(tenants):
            name = f"reviewer_{index}"
            self.fields[name] = forms.TypedChoiceField(
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "The reviewers above"), *reviewers],
                label=tenant_name,
                initial=(assigned or {}).get(tenant_id),
            )
            self.tenant_reviewer_fields.append((tenant_id, name))

    def tenant_reviewers(self) -> dict[str, int]:
        """Tenant id → the user chosen as its own reviewer, for the tenants given one."""
        return {
            tenant_id: self.cleaned_data[name]
            for tenant_id, name in self.tenant_reviewer_fields
            if self.cleaned_data.get(name) is not None
        }

    def tenant_reviewer_boundfields(self) -> list[forms.BoundField]:
        return [self[name] for _, name in self.tenant_reviewer_fields]

    def tenant_reviewers_touched(self) -> bool:
        """Whether a tenant was given a reviewer (or refused one), so the section shows open."""
        return any(f.value() or f.errors for f in self.tenant_reviewer_boundfields())


class ReviewCreateForm(ReviewersForm):
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
    include_team_roles = forms.BooleanField(
        required=False,
        label="Review team roles too",
        help_text="One item per member of the team: keep, remove from the team, or a smaller role.",
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
        self,
        *args: Any,
        tags: list[str],
        tenants: list[tuple[str, str]],
        reviewers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, tenants=tenants, reviewers=reviewers, **kwargs)
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
        # The tag select always sends a value; only the scope that reads it keeps it.
        if kind != ScopeKind.ENVIRONMENT:
            data["environment_tag"] = ""
        if kind != ScopeKind.CHOSEN:
            data["tenants"] = []
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
    decision = forms.ChoiceField(
        choices=DECISION_CHOICES,
        label="Decision",
        help_text="On a team role, “Remove access” takes the person out of the team.",
    )
    roles = forms.MultipleChoiceField(
        required=False,
        choices=list(TENANT_ROLE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Tenant roles to keep (for “Reduce to roles”)",
    )
    team_role = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            *((role, label) for role, label in TEAM_ROLE_LABELS.items() if role != TeamRole.OWNER),
        ],
        label="Team role to change to (for “Reduce to roles” on a team role)",
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
            ("mine", "Waiting for me"),
            ("pending", "Not decided yet"),
            ("flagged", "Flagged for an owner"),
            ("all", "All items"),
        ],
        label="Show",
    )

    def group_or_default(self) -> str:
        return (self.cleaned_data.get("group") if self.is_valid() else "") or "tenant"

    def show_or_default(self, *, closed: bool, own_reviewers: bool) -> str:
        """Which items: those still to decide, by default (only the reader's own when tenants
        have reviewers of their own); on a closed review, every item."""
        chosen = self.cleaned_data.get("show") if self.is_valid() else ""
        if chosen:
            return chosen
        if closed:
            return "all"
        return "mine" if own_reviewers else "pending"
