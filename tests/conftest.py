"""Shared fixtures: personas (owner, helpdesk, auditor) and test-only settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.services import user_ensure
from apps.audit import receivers as audit_receivers
from apps.authtenants.health import forget_tallies
from apps.core.capabilities import Role
from teamsadmin.celery import app as celery_app
from tests import canary

pytest_plugins = [
    "tests.fixtures.sandbox",
    "tests.fixtures.authtenants",
    "tests.fixtures.directory",
    "tests.fixtures.people",
    "tests.fixtures.sso",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Test database settings: a SQLite file, and no persistent PostgreSQL connections.

    SQLite tests use a file, as the web and worker do, not shared-cache memory, which has no
    busy timeout: a second thread touching the database while the first holds a write
    transaction would fail at once with "database table is locked".
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)
    else:
        # The live server closes its connection after each request: a thread idling on a
        # client's keep-alive socket would otherwise keep a session that blocks dropping the
        # test database at the end.
        database["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True, scope="session")
def _secret_canary_installed() -> Iterator[canary.Canary]:
    """tests/canary.py: no watched secret may appear in a response, a log record or an audit entry."""
    with canary.installed() as installed:
        yield installed


@pytest.fixture(autouse=True)
def _secret_canary(_secret_canary_installed: canary.Canary) -> Iterator[None]:
    """Each test watches its own secrets; leaks after its body (live server threads) fail it too."""
    canary.ensure_installed()
    _secret_canary_installed.forget()
    yield
    _secret_canary_installed.check()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long checks (marked slow) first, in their order: xdist hands tests out in this order, so
    both workers start on them early instead of one finishing a queue of them alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A leak during the test's body fails the test itself (not only its teardown)."""
    result = yield
    canary.canary.check()
    return result


@pytest.fixture(autouse=True, scope="session")
def _in_memory_broker() -> None:
    """Tasks the code under test queues (first syncs, "Sync now") stay in this process, never
    in a developer's var/celery queue or CI's Redis."""
    celery_app.conf.update(broker_url="memory://localhost/")


@pytest.fixture(autouse=True)
def _fast_settings(settings: SettingsWrapper) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _isolated_cache(settings: SettingsWrapper) -> None:
    """Give each test a cache namespace of its own.

    Without CACHE_URL the tests use local memory (shared with the live server thread). With it
    (CI's Redis run) they use that server, where clear() would wipe the other xdist worker's
    keys, so isolation comes from a per-test key prefix instead.
    """
    if not os.environ.get("CACHE_URL"):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "tests",
            }
        }
    fresh_cache_namespace(settings)


def fresh_cache_namespace(settings: SettingsWrapper) -> None:
    """Start an empty cache for this test only; never cache.clear(), which on Redis empties
    the whole database, the other xdist worker's keys (tokens, form claims) included."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": default}


def _persona(role: Role) -> User:
    user, _ = user_ensure(username=f"{role.value}-user", password="pw", role=role)  # noqa: S106
    return user


@pytest.fixture
def owner(db: None) -> User:
    return _persona(Role.OWNER)


@pytest.fixture
def helpdesk(db: None) -> User:
    return _persona(Role.HELPDESK)


@pytest.fixture
def auditor(db: None) -> User:
    return _persona(Role.AUDITOR)


@contextmanager
def sign_in_unrecorded() -> Iterator[None]:
    """Sign-ins done as fixture setup write no "Sign in" dashboard action, so tests that count
    or export dashboard actions see only what they did (tests/accounts checks the recording)."""
    user_logged_in.disconnect(dispatch_uid="audit")
    try:
        yield
    finally:
        user_logged_in.connect(audit_receivers.signed_in, dispatch_uid="audit")


def signed_in_client(user: User) -> Client:
    """A test client with `user` signed in (no sign-in dashboard action written)."""
    client = Client()
    with sign_in_unrecorded():
        client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner: User) -> Client:
    return signed_in_client(owner)


@pytest.fixture
def helpdesk_client(helpdesk: User) -> Client:
    return signed_in_client(helpdesk)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    return signed_in_client(auditor)


@pytest.fixture(autouse=True)
def _fresh_connection_health() -> None:
    """Connection health tallies live in the process; each test starts without them (row ids
    are reused between tests)."""
    forget_tallies()
