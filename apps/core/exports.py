"""Stream a filtered queryset as CSV or JSON Lines: PostgreSQL's COPY where it runs, the same bytes elsewhere.

On PostgreSQL the SELECT is compiled from the filtered queryset and run as `COPY (…) TO STDOUT`:
the server formats every cell and Python only gathers rows into socket-sized chunks. COPY
streams from the first row and needs no cursor (no WITH HOLD result materialised first). Other
databases (SQLite) fetch value tuples in batches and format them in one tight loop. Both follow
one definition of each cell, so the download is byte for byte the same on either database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring
from typing import Any

from django import forms
from django.db import connections, models, transaction
from django.db.models import Case, F, Func, QuerySet, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Coalesce
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

CHUNK_BYTES = 64 * 1024  # what a socket send takes comfortably; a few hundred rows
BATCH_ROWS = 2000


class ExportFormat(models.TextChoices):
    """What a download is written as; the label is what the export button offers."""

    CSV = "csv", "CSV (spreadsheets)"
    JSONL = "jsonl", "JSON Lines (one JSON object per line)"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSONL: "application/x-ndjson; charset=utf-8",
}

# --- spreadsheet formula injection ----------------------------------------------------------
# OWASP "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): a cell a
# spreadsheet would evaluate gets a leading apostrophe, which spreadsheets show but never run.
# Each row: what the form is, the characters that start it, and whether leading whitespace
# (which spreadsheets skip before evaluating) may come first. JSON Lines is not neutralised.
FORMULA_FORMS: tuple[tuple[str, str, bool], ...] = (
    ("a formula sign", "=+-@", True),
    ("a fullwidth formula sign", "\uff1d\uff0b\uff0d\uff20", True),  # ＝ ＋ － ＠
    ("a DDE command separator (cmd|' /C calc'!A0)", "|;", True),
    ("a tab, carriage return or line feed", "\t\r\n", False),
)
# Whitespace a spreadsheet skips before a formula sign, including no-break and ideographic space.
FORMULA_LEAD_SPACE = " \t\r\n\v\f\u00a0\u3000"


def _bracket(chars: str) -> str:
    """A regex bracket expression matching `chars` alike in Python and PostgreSQL's AREs."""
    inner = "".join(c for c in chars if c not in "-]^\\")
    return "[" + inner + ("-" if "-" in chars else "") + "]"


_SIGNS = "".join(chars for _, chars, after_space in FORMULA_FORMS if after_space)
_ALONE = "".join(chars for _, chars, after_space in FORMULA_FORMS if not after_space)
# One pattern, bound as a parameter on PostgreSQL and compiled here for the other databases.
FORMULA_PATTERN = f"^(?:{_bracket(_ALONE)}|{_bracket(FORMULA_LEAD_SPACE)}*{_bracket(_SIGNS)})"
_FORMULA = re.compile(FORMULA_PATTERN)
_FORMULA_FIRST = frozenset(_SIGNS + _ALONE + FORMULA_LEAD_SPACE)


def neutralise(value: str) -> str:
    """`value` with an apostrophe in front when a spreadsheet would evaluate it."""
    if value and value[0] in _FORMULA_FIRST and _FORMULA.match(value):
        return "'" + value
    return value  # _csv_text inlines this test: it runs for every cell


# --- columns ---------------------------------------------------------------------------------


class Kind(Enum):
    """How a column's value is written, alike by PostgreSQL and by Python."""

    TEXT = "text"
    TIMESTAMP = "timestamp"  # ISO 8601 in UTC, fraction as needed: 2026-11-01T11:00:00.25Z
    INTEGER = "integer"
    JSON = "json"  # PostgreSQL's jsonb text: keys by length then bytes, ", " and ": "
    LABEL = "label"  # a choice's label people read


@dataclass(frozen=True)
class Column:
    """One exported column: its header / JSON key, the model field it reads, how it is written."""

    name: str
    field: str
    kind: Kind = Kind.TEXT
    labels: Mapping[str, str] | None = None


# --- the PostgreSQL path: COPY of a SELECT compiled from the queryset -------------------------


# The code points a cell that needs the regex can start with (ascii() gives a UTF-8 database's
# code point): testing them first spares nearly every cell the regex.
_FORMULA_FIRST_CODES = ", ".join(str(ord(char)) for char in sorted(_FORMULA_FIRST))


class _Neutralised(Func):
    """A text cell with FORMULA_PATTERN's cells prefixed by an apostrophe, in SQL."""

    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CASE WHEN ascii({sql}) NOT IN ({_FORMULA_FIRST_CODES}) THEN ({sql}) "
            f"WHEN ({sql}) ~ %s THEN '''' || ({sql}) ELSE ({sql}) END)",
            [*params, *params, *params, FORMULA_PATTERN, *params, *params],
        )


class _JsonLine(Func):
    """'{"name":' || value || ',"next":' || … || '}' from (name, JSON text expression) pairs."""

    output_field = TextField()

    def __init__(self, names: Sequence[str], *expressions: Expression | F) -> None:
        super().__init__(*expressions)
        self.names = tuple(names)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        parts, params = [], []
        for index, (name, expression) in enumerate(
            zip(self.names, self.source_expressions, strict=True)
        ):
            sql, expression_params = compiler.compile(expression)
            parts.append(f"%s || ({sql})")
            params += [("{" if index == 0 else ",") + json.dumps(name) + ":", *expression_params]
        return "(" + " || ".join(parts) + " || '}')", params


def _pg_text(column: Column) -> Expression | F:
    """The column as the text a CSV cell holds (before neutralising)."""
    if column.kind is Kind.TIMESTAMP:
        # The ISO DateStyle's text (set for the COPY), cheaper than to_char on every row.
        return Func(
            F(column.field),
            template="replace((%(expressions)s AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'",
            output_field=TextField(),
        )
    if column.kind is Kind.LABEL:
        whens = [When(**{column.field: k}, then=Value(v)) for k, v in (column.labels or {}).items()]
        return Case(*whens, default=F(column.field), output_field=TextField())
    if column.kind in (Kind.INTEGER, Kind.JSON):
        return Cast(F(column.field), TextField())
    return F(column.field)


def _pg_csv_cell(column: Column) -> Expression | F:
    text = _pg_text(column)
    if column.kind is Kind.TIMESTAMP:  # an empty cell for no time, as the Python path writes
        return Coalesce(text, Value(""), output_field=TextField())
    return text if column.kind is Kind.INTEGER else _Neutralised(text)


def _pg_json_value(column: Column) -> Expression | F:
    text = _pg_text(column)
    if column.kind in (Kind.INTEGER, Kind.JSON):
        return text
    if column.kind is Kind.TIMESTAMP:  # nothing in it to escape: skip to_json on every row
        quoted = Func(text, template="'\"' || %(expressions)s || '\"'", output_field=TextField())
        return Coalesce(quoted, Value("null"), output_field=TextField())
    return Func(text, template="to_json(%(expressions)s)::text", output_field=TextField())


def _pg_copy_sql(
    queryset: QuerySet[Any], columns: Sequence[Column], fmt: ExportFormat
) -> tuple[str, tuple[Any, ...]]:
    if fmt == ExportFormat.CSV:
        cells = {f"export_{i}": _pg_csv_cell(c) for i, c in enumerate(columns)}
        # NULL "=" never equals a cell (a lone "=" is neutralised), so an empty text cell is
        # written bare, as Python's csv module writes it, not as "".
        options = "FORMAT csv, NULL '='"
    else:
        line = _JsonLine([c.name for c in columns], *(_pg_json_value(c) for c in columns))
        cells = {"export_line": line}
        # JSON text holds no raw control characters, so with \x01 as quote and \x02 as
        # delimiter nothing is ever quoted or escaped: each line leaves exactly as built.
        options = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'"
    select = queryset.annotate(**cells).values_list(*cells)
    sql, params = select.query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT ({options})", params


def _pg_chunks(
    queryset: QuerySet[Any], columns: Sequence[Column], fmt: ExportFormat, counter: list[int]
) -> Iterator[bytes]:
    sql, params = _pg_copy_sql(queryset, columns, fmt)
    # A transaction of its own (a savepoint inside a caller's): a COPY cancelled because the
    # client left aborts it, and rolling it back leaves the connection usable for the record.
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        # COPY is planned for its total time, which often means sorting every row before the
        # first leaves; without sorts the planner walks an index in order and rows stream at
        # once. SET LOCAL ends with the transaction.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL DateStyle = 'ISO'")
        yield from _copy_out(cursor.cursor, sql, params, counter)


def _copy_out(cursor: Any, sql: str, params: Sequence[Any], counter: list[int]) -> Iterator[bytes]:
    buffer = bytearray()
    with cursor.copy(sql, params) as copy:
        # libpq hands COPY data over one row per read.
        while data := copy.read():
            buffer += data
            counter[0] += 1
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


# --- every other database: value tuples formatted in bulk -------------------------------------


def _numeric_text(value: float) -> str:
    """A JSON number as PostgreSQL's numeric prints it (1e+20 -> 100000000000000000000)."""
    return format(Decimal(repr(value)), "f")


def _jsonb_key(key: str) -> tuple[int, bytes]:
    raw = key.encode()
    return len(raw), raw


def jsonb_text(value: Any) -> str:
    """`value` written as PostgreSQL writes jsonb as text."""
    if isinstance(value, dict):
        items = (f"{jsonb_text(k)}: {jsonb_text(value[k])}" for k in sorted(value, key=_jsonb_key))
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    if isinstance(value, float):
        return _numeric_text(value)
    return json.dumps(value, ensure_ascii=False)


class _NeedsNumeric(Exception):
    """A float written with an exponent, which PostgreSQL's numeric would write out in full."""


def _float_without_exponent(text: str) -> float:
    if "e" in text or "E" in text:
        raise _NeedsNumeric
    return float(text)


def _jsonb_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(sorted(pairs, key=lambda pair: _jsonb_key(pair[0])))


_encode_jsonb = json.JSONEncoder(ensure_ascii=False).encode  # ", " and ": " as jsonb text has
_decode_jsonb = json.JSONDecoder(
    object_pairs_hook=_jsonb_object, parse_float=_float_without_exponent
).decode


def jsonb_text_from(raw: str) -> str:
    """Stored JSON text rewritten as PostgreSQL writes jsonb as text; the parsing and writing
    run in the json module's C code, keys sorted as they are read."""
    try:
        value = _decode_jsonb(raw)
    except _NeedsNumeric:
        return jsonb_text(json.loads(raw))
    return _encode_jsonb(value)


def _timestamp(value: datetime) -> str:
    """As PostgreSQL writes a UTC timestamp in the ISO DateStyle, with T and Z."""
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return (text.rstrip("0") if "." in text else text) + "Z"


_CSV_QUOTE_NEEDED = re.compile('[,"\r\n]')


def _csv_text(value: str) -> str:
    """A text cell: neutralised, then quoted as PostgreSQL's CSV does (comma, quote, CR, LF)."""
    if value and value[0] in _FORMULA_FIRST and _FORMULA.match(value):
        value = "'" + value
    if _CSV_QUOTE_NEEDED.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_cell(column: Column) -> Callable[[Any], str]:
    if column.kind is Kind.TIMESTAMP:
        return lambda value: "" if value is None else _timestamp(value)
    if column.kind is Kind.INTEGER:
        return str
    if column.kind is Kind.JSON:
        return lambda raw: _csv_text(jsonb_text_from(raw))
    if column.kind is Kind.LABEL:
        labels = column.labels or {}
        return lambda value: _csv_text(labels.get(value, value))
    return _csv_text


def _json_value(column: Column) -> Callable[[Any], str]:
    if column.kind is Kind.TIMESTAMP:
        return lambda value: "null" if value is None else '"' + _timestamp(value) + '"'
    if column.kind is Kind.INTEGER:
        return str
    if column.kind is Kind.JSON:
        return jsonb_text_from
    if column.kind is Kind.LABEL:
        labels = column.labels or {}
        return lambda value: encode_basestring(labels.get(value, value))
    return encode_basestring  # escapes exactly what PostgreSQL's to_json does


def _line_formatter(columns: Sequence[Column], fmt: ExportFormat) -> Callable[[Sequence[Any]], str]:
    if fmt == ExportFormat.CSV:
        cells = [_csv_cell(c) for c in columns]
        return lambda row: ",".join([cell(v) for cell, v in zip(cells, row, strict=True)]) + "\n"
    values = [_json_value(c) for c in columns]
    keys = [("{" if i == 0 else ",") + json.dumps(c.name) + ":" for i, c in enumerate(columns)]
    return lambda row: (
        "".join([k + value(v) for k, value, v in zip(keys, values, row, strict=True)]) + "}\n"
    )


def _python_chunks(
    queryset: QuerySet[Any], columns: Sequence[Column], fmt: ExportFormat, counter: list[int]
) -> Iterator[bytes]:
    line = _line_formatter(columns, fmt)
    # JSON columns are read as their stored text: parsed and rewritten in one pass each.
    as_text = {
        f"export_{i}": Cast(F(c.field), TextField())
        for i, c in enumerate(columns)
        if c.kind is Kind.JSON
    }
    fields = [f"export_{i}" if c.kind is Kind.JSON else c.field for i, c in enumerate(columns)]
    rows = queryset.annotate(**as_text).values_list(*fields).iterator(chunk_size=BATCH_ROWS)
    lines: list[str] = []
    size = 0
    for row in rows:
        text = line(row)
        lines.append(text)
        size += len(text)
        counter[0] += 1
        if size >= CHUNK_BYTES:
            yield "".join(lines).encode()
            lines.clear()
            size = 0
    if lines:
        yield "".join(lines).encode()


def export_chunks(
    queryset: QuerySet[Any], columns: Sequence[Column], fmt: ExportFormat, counter: list[int]
) -> Generator[bytes, None, None]:
    """The export's bytes in ~CHUNK_BYTES chunks, header first; counter[0] counts data rows."""
    if fmt == ExportFormat.CSV:
        yield (",".join(c.name for c in columns) + "\n").encode()
    if connections[queryset.db].vendor == "postgresql":
        yield from _pg_chunks(queryset, columns, fmt, counter)
    else:
        yield from _python_chunks(queryset, columns, fmt, counter)


# --- the response ----------------------------------------------------------------------------

# Sent once per export when its stream ends, complete or cut off by the client, with
# sender=<what was exported> and actor, auth_tenant, export_format, filters, rows, complete and
# request; the Dashboard actions app records it.
export_ended = Signal()


class ExportStream:
    """The chunks of one export; sends `export_ended` once, at the end or when the server
    closes the response early (the client went away) with the rows sent so far."""

    def __init__(
        self,
        chunks: Callable[[list[int]], Generator[bytes, None, None]],
        ended: Callable[[int, bool], None],
    ) -> None:
        self._counter = [0]
        self._chunks = chunks(self._counter)
        self._ended = ended
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        self._end(complete=True)

    def close(self) -> None:
        self._chunks.close()  # on PostgreSQL: cancels the COPY and drains the connection
        self._end(complete=False)

    def _end(self, *, complete: bool) -> None:
        if not self._done:
            self._done = True
            self._ended(self._counter[0], complete)


@dataclass(frozen=True)
class ExportRequest:
    """What to export and for whom; `name` is what was exported (the signal's sender)."""

    request: HttpRequest
    queryset: QuerySet[Any]
    columns: Sequence[Column]
    export_format: ExportFormat
    name: str
    filename_stem: str
    auth_tenant: Any = None
    filters: Mapping[str, Any] | None = None


def export_response(
    export: ExportRequest, *, headers: Mapping[str, str] | None = None
) -> StreamingHttpResponse:
    """A streamed download of the export, never cached, recorded when it ends."""

    def ended(rows: int, complete: bool) -> None:
        export_ended.send(
            sender=export.name,
            actor=export.request.user,
            auth_tenant=export.auth_tenant,
            export_format=export.export_format,
            filters=dict(export.filters or {}),
            rows=rows,
            complete=complete,
            request=export.request,
        )

    stream = ExportStream(
        lambda counter: export_chunks(
            export.queryset, export.columns, export.export_format, counter
        ),
        ended,
    )
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[export.export_format])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="{export.filename_stem}-{stamp}.{export.export_format.value}"'
    )
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- what the pages share ----------------------------------------------------------------------


class ExportFormatForm(forms.Form):
    """The export button's format choice, posted beside the page's current filters."""

    export_format = forms.ChoiceField(
        choices=ExportFormat.choices, initial=ExportFormat.CSV, label="Format"
    )

    def export_format_or_none(self) -> ExportFormat | None:
        return ExportFormat(self.cleaned_data["export_format"]) if self.is_valid() else None


def filters_applied(form: forms.Form, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """The filters a valid form applies, blanks and `leave_out` fields (page position, what the
    record names on its own) left out: what the export's record names."""
    skip = frozenset(leave_out)
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if value not in (None, "") and name not in skip
    }


def export_refused(
    request: HttpRequest,
    *,
    title: str,
    reason: str,
    back: tuple[str, str],
    form: forms.Form | None = None,
    status: int = 400,
) -> HttpResponse:
    """A page saying why nothing was exported, with the form's messages and the way back
    (`back`: the page's URL and its name)."""
    context = {"title": title, "reason": reason, "form": form, "back": back}
    return render(request, "core/export_refused.html", context, status=status)


def export_needs_post(request: HttpRequest, *, title: str, back: tuple[str, str]) -> HttpResponse:
    """Answer a GET of an export URL (an old link or bookmark): 405, and where the button is."""
    response = export_refused(
        request,
        title=title,
        reason="exports now start from the Export button on the page, which sends its filters",
        back=back,
        status=405,
    )
    response["Allow"] = "POST"
    return response
