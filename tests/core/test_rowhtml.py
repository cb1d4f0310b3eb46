"""Rows built in Python escape exactly as format_html (and so the template) would."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from apps.core.rowhtml import format_row


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "<script>alert('x')</script>",
        'say "hi" & <b>',
        "ünïcode ‮ rtl",
        42,
        None,
        mark_safe("<em>kept</em>"),  # noqa: S308 - a fixed, safe fragment
        format_html("<i>{}</i>", "<b>"),
    ],
)
def test_format_row_escapes_as_format_html_does(value: Any) -> None:
    template = '<td title="{}">{}</td>'
    row = format_row(template, value, value)
    assert row == format_html(template, value, value)
    assert isinstance(row, SafeString)
    assert format_row("<td>{cell}</td>", cell=value) == format_html("<td>{cell}</td>", cell=value)
