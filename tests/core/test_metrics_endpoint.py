"""/metrics: off without a token, bearer-protected, counters summed across processes in
multiprocess mode, the queue length read from the broker at scrape."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings as SettingsWrapper

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-tests"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition text by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.fixture
def metrics_on(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.TEAMSADMIN_METRICS_TOKEN = TOKEN
    queue = tmp_path / "queue"
    queue.mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
    }
    return queue


def test_metrics_are_off_without_a_token(client: Client, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_METRICS_TOKEN = ""
    response = client.get("/metrics")
    assert response.status_code == 404
    assert b"TEAMSADMIN_METRICS_TOKEN" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_need_the_bearer_token(client: Client, metrics_on: Path, header: str) -> None:
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"teamsadmin_" not in response.content


@pytest.mark.django_db
def test_queue_length_counts_the_filesystem_brokers_messages(
    client: Client, metrics_on: Path
) -> None:
    for name in ("1_a.celery.msg", "2_b.celery.msg", "3_c.other.msg"):
        (metrics_on / name).write_text("{}")
    found = samples(scrape(client))
    assert found[("teamsadmin_queue_length", (("queue", "celery"),))] == 2.0


def _increment_in_a_process(folder: Path, count: int) -> None:
    code = (
        "import django; django.setup()\n"
        "from apps.core import metrics\n"
        f"metrics.API_CALLS.labels('7', 'list_members', '2xx').inc({count})\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    env["DJANGO_SETTINGS_MODULE"] = "teamsadmin.settings"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)  # noqa: S603


@pytest.mark.django_db
def test_multiprocess_mode_sums_the_counters_of_every_process(
    client: Client, metrics_on: Path, settings: SettingsWrapper, tmp_path: Path
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    _increment_in_a_process(folder, 2)
    _increment_in_a_process(folder, 3)
    settings.PROMETHEUS_MULTIPROC_DIR = str(folder)
    found = samples(scrape(client))
    key = (
        "teamsadmin_api_calls_total",
        (("auth_tenant", "7"), ("operation", "list_members"), ("status", "2xx")),
    )
    assert found[key] == 5.0
