"""docker-compose.yml keeps its healthchecks, healthy-only dependencies and commands; the
container healthcheck helper answers as Docker expects."""

from __future__ import annotations

import copy
import socket
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from ci import compose_check
from teamsadmin import healthcheck


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return compose_check.load()


def test_the_compose_file_passes_the_structural_checks(compose: dict[str, Any]) -> None:
    assert compose_check.structural_problems(compose) == []


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda c: c["services"]["web"].pop("healthcheck"), "web: no healthcheck"),
        (lambda c: c["services"]["redis"].pop("healthcheck"), "redis: no healthcheck"),
        (
            lambda c: c["services"]["worker"]["depends_on"]["web"].update(
                condition="service_started"
            ),
            "worker: waits for web with 'service_started', not service_healthy",
        ),
        (
            lambda c: c["services"]["beat"]["depends_on"].pop("web"),
            "beat: does not wait for web",
        ),
        (
            lambda c: c["services"]["worker"].update(command="celery -A other worker"),
            "worker: command does not run 'celery -A teamsadmin worker'",
        ),
        (
            lambda c: c["services"]["web"]["environment"].update(DEBUG="true"),
            "web: DEBUG is not false",
        ),
        (
            lambda c: c["services"]["worker"].update(volumes=[]),
            "web and worker must mount one volume at PROMETHEUS_MULTIPROC_DIR",
        ),
        (lambda c: c["services"].pop("postgres"), "no postgres service"),
    ],
)
def test_a_broken_compose_file_is_caught(
    compose: dict[str, Any], break_it: Any, expected: str
) -> None:
    broken = copy.deepcopy(compose)
    break_it(broken)
    assert expected in compose_check.structural_problems(broken)


def test_the_docker_part_is_skipped_with_a_reason_or_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reason = compose_check.docker_unavailable()
    if not reason:
        pytest.skip("Docker with compose is installed: `python ci/compose_check.py` runs it")
    assert compose_check.main() == 0
    assert f"skipped ({reason})" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("teams.example.com,localhost", "teams.example.com"),
        ("*, admin.example.com", "admin.example.com"),
        (".example.com", "www.example.com"),
        ("", "localhost"),
    ],
)
def test_the_healthcheck_sends_an_allowed_host(allowed: str, host: str) -> None:
    assert healthcheck.host_header(allowed) == host


@pytest.mark.django_db(transaction=True)
def test_the_healthcheck_passes_on_a_ready_server_and_fails_on_a_closed_port(
    live_server: LiveServer, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    ok, detail = healthcheck.probe(f"{live_server.url}/readyz", "localhost")
    assert ok, detail
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ok, detail = healthcheck.probe(f"http://127.0.0.1:{port}/readyz", "localhost")
    assert not ok
    assert "ConnectionRefusedError" in detail
