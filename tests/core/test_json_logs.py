"""LOG_FORMAT=json: one JSON object per line, with the request (or task) id; strict values."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import signals
from django.test import Client

from apps.core.requestid import current_request_id
from teamsadmin.logformat import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Records of django.request, formatted as LOG_FORMAT=json formats them, when emitted."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_a_record_is_one_json_object_with_the_fixed_fields() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "apps.sync", logging.ERROR, __file__, 1, "sync %s failed", ("acme",), sys.exc_info()
        )
    record.auth_tenant = 3
    token = current_request_id.set("req-123")
    try:
        line = JsonFormatter().format(record)
    finally:
        current_request_id.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "apps.sync"
    assert entry["message"] == "sync acme failed"
    assert entry["request_id"] == "req-123"
    assert entry["auth_tenant"] == 3
    assert entry["time"].endswith("+00:00")
    assert "ValueError: boom" in entry["exception"]


@pytest.mark.django_db
def test_a_request_s_log_lines_carry_its_request_id(
    client: Client, json_lines: io.StringIO
) -> None:
    for request_id in ("trace-42", "trace-43"):
        response = client.get("/healthz/nowhere", HTTP_X_REQUEST_ID=request_id)
        assert response.status_code == 404
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert [(line["request_id"], line["logger"]) for line in lines] == [
        ("trace-42", "django.request"),
        ("trace-43", "django.request"),
    ]
    assert lines[0]["message"] == "Not Found: /healthz/nowhere"


def test_a_celery_task_s_log_lines_carry_its_task_id() -> None:
    signals.task_prerun.send(sender=None, task_id="task-9", task=None)
    try:
        assert current_request_id.get() == "task-9"
    finally:
        signals.task_postrun.send(sender=None, task_id="task-9", task=None)
    assert current_request_id.get() == ""


def _run_with(log_format: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, logging; django.setup()\n"
        "logging.getLogger('apps.core').warning('hello %s', 'world')\n"
    )
    env = {**os.environ, "LOG_FORMAT": log_format, "DJANGO_SETTINGS_MODULE": "teamsadmin.settings"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_log_format_json_prints_json_lines() -> None:
    result = _run_with("json")
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello world"
    assert entry["logger"] == "apps.core"
    assert entry["level"] == "WARNING"


def test_log_format_plain_prints_text() -> None:
    result = _run_with("plain")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("WARNING apps.core hello world")


def test_an_unknown_log_format_stops_start_up_naming_the_variable() -> None:
    result = _run_with("xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of ['plain', 'json'], got 'xml'" in result.stderr
