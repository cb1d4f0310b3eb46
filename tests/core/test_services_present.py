"""When CI asks for PostgreSQL and Redis, the suite really runs on them (fail, never skip)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from teamsadmin.celery import app as celery_app

required = os.environ.get("TEAMSADMIN_REQUIRE_SERVICES") == "1"


@pytest.mark.skipif(not required, reason="only when CI asks for the PostgreSQL + Redis run")
@pytest.mark.django_db
def test_suite_runs_on_postgresql_and_redis() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select 1")
        assert cursor.fetchone() == (1,)
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    cache.set("teamsadmin-ci-probe", "ok", 10)
    assert cache.get("teamsadmin-ci-probe") == "ok"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.transport_cls == "redis" or "redis" in conn.as_uri()


def test_embedded_defaults_need_no_server() -> None:
    if required:
        pytest.skip("the PostgreSQL + Redis run checks the services instead")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_BROKER_URL.startswith("filesystem://")
