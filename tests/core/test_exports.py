"""The export machinery: every spreadsheet formula form neutralised, and the same bytes from
PostgreSQL's COPY and the bulk Python path (this runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.db import connection

from apps.activity.exports import COLUMNS
from apps.activity.models import ActivityEvent
from apps.authtenants.models import AuthTenant
from apps.core import exports
from apps.core.exports import ExportFormat, export_chunks, jsonb_text
from tests.factories import AuthTenantFactory

# (stored text, what the CSV cell holds): one example of every row of FORMULA_FORMS and more.
FORMULAS = [
    ("=1+1", "'=1+1"),
    ("+cmd", "'+cmd"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("\nx", "'\nx"),
    (" =1", "' =1"),
    ("  \n+1", "'  \n+1"),
    ("\u00a0@x", "'\u00a0@x"),
    ("\u3000-1", "'\u3000-1"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("\uff0bx", "'\uff0bx"),
    ("\uff0dx", "'\uff0dx"),
    ("\uff20x", "'\uff20x"),
    ("|cmd", "'|cmd"),
    (";cmd", "';cmd"),
    (" |cmd", "' |cmd"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("a=b", "a=b"),
    ("plain", "plain"),
    ("  spaced", "  spaced"),
    ("", ""),
]


def _store(auth_tenant: AuthTenant, values: list[str]) -> None:
    for n, value in enumerate(values):
        ActivityEvent.objects.create(
            auth_tenant=auth_tenant,
            external_id=f"e{n:03d}",
            status="Success",
            actor_name=value,
            created_at=datetime(2026, 11, 1, 12, 0, n, (n % 2) * 250_000, tzinfo=UTC),
            details={"note": value, "z": [1, 0.5, None, True], "ab": {"n": 1e20}},
        )


def _export(fmt: ExportFormat, chunks: object = export_chunks) -> tuple[bytes, int]:
    counter = [0]
    events = ActivityEvent.objects.order_by("external_id")
    body = b"".join(chunks(events, COLUMNS, fmt, counter))  # type: ignore[operator]
    return body, counter[0]


@pytest.mark.parametrize(("stored", "cell"), FORMULAS, ids=[repr(s) for s, _ in FORMULAS])
def test_every_formula_form_is_neutralised(db: None, stored: str, cell: str) -> None:
    assert exports.neutralise(stored) == cell


def test_every_formula_form_is_neutralised_by_this_database(db: None) -> None:
    _store(AuthTenantFactory.create(), [stored for stored, _ in FORMULAS])
    body, rows = _export(ExportFormat.CSV)
    assert rows == len(FORMULAS)
    exported = [row["actor_name"] for row in csv.DictReader(io.StringIO(body.decode(), newline=""))]
    assert exported == [cell for _, cell in FORMULAS]


def test_every_form_in_the_table_has_an_example() -> None:
    firsts = {stored.lstrip(exports.FORMULA_LEAD_SPACE)[:1] for stored, _ in FORMULAS}
    for _, chars, _ in exports.FORMULA_FORMS:
        assert set(chars) - {"\t", "\r", "\n"} <= firsts


def test_golden_bytes_on_this_database(db: None) -> None:
    _store(AuthTenantFactory.create(), ['q"x, y\\z\r\nünï'])
    csv_body, _ = _export(ExportFormat.CSV)
    jsonl_body, _ = _export(ExportFormat.JSONL)
    assert csv_body.decode().splitlines(keepends=True)[1:] == [
        '2026-11-01T12:00:00Z,e000,,Success,,,,"q""x, y\\z\r\n',
        'ünï",,,,"{""z"": [1, 0.5, null, true], ""ab"": {""n"": 100000000000000000000}, '
        '""note"": ""q\\""x, y\\\\z\\r\\nünï""}"\n',
    ]
    assert jsonl_body.decode() == (
        '{"created_at":"2026-11-01T12:00:00Z","id":"e000","type":"","status":"Success",'
        '"current_event":"","actor_type":"","actor_id":"","actor_name":"q\\"x, y\\\\z\\r\\nünï",'
        '"ip":"","hostname":"","user_agent":"","details":{"z": [1, 0.5, null, true], '
        '"ab": {"n": 100000000000000000000}, "note": "q\\"x, y\\\\z\\r\\nünï"}}\n'
    )


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_copy_and_the_python_path_give_the_same_bytes(db: None, fmt: ExportFormat) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY runs on PostgreSQL only; the golden bytes test covers this database")
    awkward = ['back\\slash "q" ,\n\r\t', "ünï 𝄞 \u2028", *(stored for stored, _ in FORMULAS)]
    _store(AuthTenantFactory.create(), awkward)
    copied, copied_rows = _export(fmt)
    bulk, bulk_rows = _export(fmt, exports._python_chunks)
    header = copied[: copied.index(b"\n") + 1] if fmt == ExportFormat.CSV else b""
    assert copied == header + bulk
    assert copied_rows == bulk_rows == len(awkward)


def test_jsonb_text_orders_keys_as_postgresql_does() -> None:
    value = {"bb": 1, "a": {"ccc": "é", "b": [1.5, 1e-07]}, "é": False}
    assert jsonb_text(value) == ('{"a": {"b": [1.5, 0.0000001], "ccc": "é"}, "bb": 1, "é": false}')


@pytest.mark.parametrize(
    "value",
    [
        {"bb": 1, "a": {"ccc": "é\n", "b": [1.5, None]}, "é": False},
        {"big": 1e20, "small": [1e-07, 0.5]},  # exponents: written out as numeric does
        ["=x", {"z": {}, "y": []}],
        "plain",
    ],
)
def test_stored_json_text_is_rewritten_like_jsonb(value: object) -> None:
    assert exports.jsonb_text_from(json.dumps(value)) == jsonb_text(value)
