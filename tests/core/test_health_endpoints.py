"""/healthz answers without the database; /readyz checks database, cache and broker."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.core import health

PASSWORD = "pw-never-shown-123"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def filesystem_broker(settings: SettingsWrapper, tmp_path: Path) -> Path:
    folder = tmp_path / "queue"
    folder.mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
    }
    return folder


def test_healthz_answers_without_login_or_database(client: Client) -> None:
    # No django_db mark: any query (session, user, anything) would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_when_everything_answers(client: Client, filesystem_broker: Path) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": {"status": "ok", "reason": ""},
        "cache": {"status": "ok", "reason": ""},
        "broker": {"status": "ok", "reason": ""},
    }


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_when_the_cache_is_unreachable(
    client: Client, settings: SettingsWrapper, filesystem_broker: Path
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:{PASSWORD}@127.0.0.1:{closed_port()}/15",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failed"
    assert body["checks"]["cache"]["status"] == "failed"
    assert "ConnectionError" in body["checks"]["cache"]["reason"]
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert PASSWORD not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_when_the_broker_is_unreachable(
    client: Client, settings: SettingsWrapper
) -> None:
    settings.CELERY_BROKER_URL = f"redis://:{PASSWORD}@127.0.0.1:{closed_port()}/15"
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "failed"
    assert checks["broker"]["reason"]
    assert checks["cache"]["status"] == "ok"
    assert PASSWORD not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_when_the_queue_folder_is_missing(
    client: Client, filesystem_broker: Path, settings: SettingsWrapper
) -> None:
    missing = filesystem_broker / "gone"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(missing),
        "data_folder_out": str(missing),
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "missing or not writable" in response.json()["checks"]["broker"]["reason"]


@pytest.mark.django_db(transaction=True)
def test_readyz_counts_a_slow_check_as_failed(
    client: Client, filesystem_broker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    monkeypatch.setitem(health.CHECKS, "cache", lambda: release.wait(5))
    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.3)
    try:
        body = json.loads(health_response(client))
    finally:
        release.set()
    assert body["checks"]["cache"] == {"status": "failed", "reason": "no answer within 0.3 s"}


def health_response(client: Client) -> bytes:
    response = client.get("/readyz")
    assert response.status_code == 503
    return response.content


def test_scrubbed_drops_credentials_from_urls() -> None:
    text = "Error connecting to redis://user:secret@redis:6379/0\nsecond line"
    assert health.scrubbed(text) == "Error connecting to redis://***@redis:6379/0"
