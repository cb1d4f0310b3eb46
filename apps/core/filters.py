"""What every list page's filter form shares: fields that hold any input, and "invalid lists nothing".

A filter that cannot be applied never reaches the database and never widens the list (or an
export) silently: `FilterForm.filters()` is None, the page shows the form's messages and lists
nothing. Fields refuse what the database or `datetime` cannot hold with a message, so no input
becomes a query error.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

F = TypeVar("F")
R = TypeVar("R")  # a row: a model instance, or a dict from .values()

# A day's margin each way: a day becomes a datetime in the display time zone (up to 14 hours
# from UTC) and an inclusive end date becomes the next day's start.
DAY_MIN = date.min + timedelta(days=1)
DAY_MAX = date.max - timedelta(days=1)


def prohibit_surrogates(value: str) -> None:
    """Refuse lone UTF-16 surrogates (JSON can carry them; no database encoding can store them)."""
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValidationError("Remove the invalid characters.", code="surrogates")


class SearchField(forms.CharField):
    """Free text; NUL characters are refused by CharField itself, lone surrogates here."""

    default_validators = [prohibit_surrogates]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class DayField(forms.DateField):
    """A calendar day within what `datetime` and the database hold, said in plain words."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                attrs={"type": "date", "min": DAY_MIN.isoformat(), "max": DAY_MAX.isoformat()}
            ),
        )
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(DAY_MIN, message=f"Enter a date on or after {DAY_MIN.isoformat()}."),
            MaxValueValidator(DAY_MAX, message=f"Enter a date on or before {DAY_MAX.isoformat()}."),
        ]


class FilterSelect(forms.Select):
    """A filter's <select>, built in Python: the toolbar renders on every list request, where
    Django's select template (two includes per option) cost more than the rest of it."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, group, _ in widget["optgroups"]:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in group),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, options)
                if group_name
                else options
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            SafeString("".join(groups)),
        )


class FilterForm(forms.Form, Generic[F]):
    """A list page's filters, built from the query string."""

    def filters(self) -> F | None:
        """The filters to apply, or None when any is invalid: list nothing, show the messages."""
        return self.to_filters(self.cleaned_data) if self.is_valid() else None

    def to_filters(self, data: dict[str, Any]) -> F:
        """The selector's filters from valid cleaned data."""
        raise NotImplementedError


def page_of(request: HttpRequest, rows: QuerySet[Any, R] | None, *, per_page: int) -> Page[R]:
    """The ?page= page of rows (Django clamps a malformed or out-of-range number); no rows: empty."""
    paginator: Paginator[R] = Paginator(rows if rows is not None else [], per_page)
    return paginator.get_page(request.GET.get("page"))
