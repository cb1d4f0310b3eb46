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
from django.db.models import Func, IntegerField, QuerySet, Subquery, TextField, Value
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.core.db import JSONArrayText, json_array

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
    """A list page's filters, built from the query string.

    `carried`: the options of its choice fields that the page query may carry.
    """

    carried: tuple[CarriedOptions, ...] = ()

    def filters(self) -> F | None:
        """The filters to apply, or None when any is invalid: list nothing, show the messages."""
        return self.to_filters(self.cleaned_data) if self.is_valid() else None

    def to_filters(self, data: dict[str, Any]) -> F:
        """The selector's filters from valid cleaned data."""
        raise NotImplementedError


# The page query's column carrying the total; taken off each row once read.
_TOTAL = "page_rows_total"
# The largest OFFSET the databases hold (a 64-bit integer): a page number beyond it is clamped
# by the count, as Django does, instead of reaching the database.
_OFFSET_MAX = 2**63 - 1


def _total_of(rows: QuerySet[Any, Any]) -> Subquery:
    """COUNT(*) of the rows, as a column the page query can carry.

    It does not depend on the row, so the database runs it once per query, and as a query of
    its own it can still count from an index alone; COUNT(*) OVER () would instead read every
    matching row before the LIMIT. COUNT as a plain function adds no GROUP BY.
    """
    counted = rows.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def _countable(rows: QuerySet[Any, Any]) -> bool:
    """Whether COUNT over the query's own FROM and WHERE counts its rows (no grouping or union)."""
    query = rows.query
    return not (query.distinct or query.group_by is not None or query.combinator or query.is_sliced)


class CountingPaginator(Paginator[R]):
    """A paginator that reads a page and the total in one query: the page's rows carry the
    count of every row the filters select (see _total_of).

    Only a page that comes back empty (past the end, or nothing matches beyond page 1) needs
    the separate COUNT(*) a Paginator runs, to clamp the number as Django does.
    """

    def __init__(self, rows: QuerySet[Any, R], per_page: int) -> None:
        super().__init__(rows, per_page)
        self._counted = rows.annotate(**{_TOTAL: _total_of(rows)})
        self._fetched: dict[int, list[R]] = {}

    def get_page(self, number: Any) -> Page[R]:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1
        if wanted >= 1 and wanted * self.per_page <= _OFFSET_MAX:
            self._fetch(wanted)
        return super().get_page(number)

    def page(self, number: Any) -> Page[R]:
        number = self.validate_number(number)
        if number in self._fetched:
            return Page(self._fetched[number], number, self)
        return super().page(number)

    def _fetch(self, number: int) -> None:
        bottom = (number - 1) * self.per_page
        rows = list(self._counted[bottom : bottom + self.per_page])
        totals = [pop_column(row, _TOTAL) for row in rows]
        if totals:
            self.count = totals[0]  # Paginator.count is a cached_property: no COUNT(*) query
        elif number == 1:
            self.count = 0
        else:
            return  # past the end: the COUNT(*) decides which page to show instead
        self._fetched[number] = rows


def pop_column(row: Any, name: str) -> Any:
    """Take an annotation the page query carried for the page itself off a row (a dict or a
    model instance), so the rows read as the selector made them."""
    return row.pop(name) if isinstance(row, dict) else vars(row).pop(name)


class CarriedOptions:
    """A filter's options (the distinct values of a column), read with the page they filter.

    The page query carries them as one more column (see `column`), a round trip fewer, like the
    total. They are read on their own only when needed before that query (checking a chosen
    value) or when the page came back empty. Pass the object as a ChoiceField's choices source:
    calling it gives the values, sorted.
    """

    def __init__(self, rows: QuerySet[Any], field: str) -> None:
        self._rows, self._field = rows.order_by(), field
        self._values: list[str] | None = None
        self.name = f"carried_{field}_options"

    @property
    def known(self) -> bool:
        return self._values is not None

    def __call__(self) -> list[str]:
        if self._values is None:
            self._values = list(
                self._rows.order_by(self._field).values_list(self._field, flat=True).distinct()
            )
        return self._values

    def column(self) -> Subquery:
        """The options as a JSON array text, for the page query to carry."""
        values = self._rows.annotate(options=JSONArrayText(self._field, distinct=True))
        return Subquery(values.values("options"), output_field=TextField())

    def take(self, rows: list[Any]) -> None:
        """Read the options off the page's rows carrying `column` (and take it off them)."""
        carried = [pop_column(row, self.name) for row in rows]
        if carried:
            self._values = sorted(json_array(carried[0]))


def page_of(request: HttpRequest, rows: QuerySet[Any, R] | None, *, per_page: int) -> Page[R]:
    """The ?page= page of rows (Django clamps a malformed or out-of-range number); no rows: empty.

    The rows and their total come in one query (see CountingPaginator).
    """
    number = request.GET.get("page")
    if rows is not None and _countable(rows):
        return CountingPaginator(rows, per_page).get_page(number)
    paginator: Paginator[R] = Paginator(rows if rows is not None else [], per_page)
    return paginator.get_page(number)
