"""The secret canary: watched secrets must never leave through a response, a log record or an audit entry.

Every test runs under it (tests/conftest.py installs it for the session). It keeps a registry of
values to watch, fed where secrets are born:

- Auth Tenant client secrets: the factories (tests/factories.py) and `AuthClient.set_secret`
  (forms, services, the admin, tests setting one themselves);
- the sandbox clients' secrets: the settings' demo clients, and clients added through the
  sandbox's controls (`control.ensure_client`, over HTTP or in process);
- the single sign-on client secret (settings) and the sandbox's control token (its fixture);
- the access tokens the sandbox mints and the management client secrets it returns when a tenant
  is created: read from the sandbox's own responses as they leave it.

and it checks, suite-wide:

- every response the Django test client or the live server produces (headers and body, streamed
  exports chunk by chunk, error pages included), except at the one exit each kind of secret is
  meant to leave through (SANCTIONED_EXITS);
- every log record of every logger at every level (DEBUG included): message, arguments, exception
  text and extra fields;
- every saved AuditEntry: action parameters, message and target.

A leak fails the test that caused it, naming the kind of secret and where it appeared (never the
value itself).

To watch a new kind of secret, add one line where it is born, for instance in a factory:

    client_secret = LazyAttribute(lambda o: canary.watch(o.raw_secret, "OIDC client secret"))

and, only if the product is meant to show it once somewhere, one entry in SANCTIONED_EXITS.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.handlers.base import BaseHandler
from django.core.signals import got_request_exception
from django.db.models.signals import post_save
from django.http import HttpRequest, HttpResponseBase

# Shorter values (or values of few distinct characters) would match ordinary text and raise
# false alarms, and are no secrets anyway.
MIN_LENGTH = 12
MIN_DISTINCT = 6

AUTH_CLIENT_SECRET = "Auth Tenant client secret"
SANDBOX_CLIENT_SECRET = "sandbox client secret"
ACCESS_TOKEN = "sandbox access token"
MANAGEMENT_CLIENT_SECRET = "management client secret"
OIDC_CLIENT_SECRET = "single sign-on client secret"
CONTROL_TOKEN = "sandbox control token"

# kind -> the route names (URL names, namespaced) whose responses may carry it: where it is born
# or the one page meant to show it.
SANCTIONED_EXITS: dict[str, frozenset[str]] = {
    ACCESS_TOKEN: frozenset({"sandbox:token"}),
    # The sandbox returns it once; the dashboard shows it once, on the credentials page.
    MANAGEMENT_CLIENT_SECRET: frozenset({"sandbox:tenants", "tenants:create"}),
}

# Standard LogRecord attributes: everything else on a record came in through `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
}


@dataclass(frozen=True)
class Leak:
    kind: str
    where: str

    def __str__(self) -> str:
        return f"a {self.kind} appeared in {self.where}"


@dataclass
class Canary:
    """The registry of watched values and the leaks seen since the last check."""

    _watched: dict[bytes, str] = field(default_factory=dict)
    _lasting: dict[bytes, str] = field(default_factory=dict)
    leaks: list[Leak] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def watch(self, value: str, kind: str, *, lasting: bool = False) -> str:
        """Watch `value` (returned unchanged) until the end of the test, or the session when
        lasting. Values too short or too plain to be secrets are ignored."""
        if len(value) < MIN_LENGTH or len(set(value)) < MIN_DISTINCT:
            return value
        encoded = value.encode("utf-8", "surrogatepass")
        with self._lock:
            self._watched[encoded] = kind
            if lasting:
                self._lasting[encoded] = kind
        return value

    def forget(self) -> None:
        """Drop the values watched during a test (the session's lasting ones stay) and its leaks."""
        with self._lock:
            self._watched = dict(self._lasting)
            self.leaks.clear()

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Values watched inside the block are dropped after it, as its writes were rolled back
        (so hostile input that happened to be stored as a secret is not watched afterwards)."""
        with self._lock:
            before = dict(self._watched)
        try:
            yield
        finally:
            with self._lock:
                self._watched = before

    def scan(self, data: bytes | str, where: str, *, exits: str = "") -> None:
        """Record a leak for each watched value found in data (`exits`: the route name, whose
        sanctioned kinds may appear)."""
        if not self._watched:
            return
        haystack = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        with self._lock:
            watched = list(self._watched.items())
        for value, kind in watched:
            if value in haystack and exits not in SANCTIONED_EXITS.get(kind, ()):
                self._leak(Leak(kind, where))

    def _leak(self, leak: Leak) -> None:
        with self._lock:
            if leak not in self.leaks:
                self.leaks.append(leak)

    def take(self) -> list[Leak]:
        with self._lock:
            leaks, self.leaks = self.leaks, []
        return leaks

    def check(self) -> None:
        """Fail with every leak seen since the last check."""
        if leaks := self.take():
            raise AssertionError("secret canary: " + "; ".join(map(str, leaks)))

    @contextmanager
    def expect_leak(self) -> Iterator[list[Leak]]:
        """For tests of the canary itself: collect the block's leaks instead of failing on them."""
        earlier = self.take()
        caught: list[Leak] = []
        try:
            yield caught
        finally:
            caught.extend(self.take())
            with self._lock:
                self.leaks[:0] = earlier


canary = Canary()
watch = canary.watch


# --- responses ---------------------------------------------------------------------------------


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _streamed(chunks: Iterable[bytes], where: str, exits: str) -> Iterator[bytes]:
    """Scan a streamed body as it is sent, with an overlap so a value split across chunks is seen."""
    tail = b""
    for chunk in chunks:
        canary.scan(tail + chunk, where, exits=exits)
        tail = (tail + chunk)[-4096:]
        yield chunk


def _learn_from_sandbox(request: HttpRequest, response: HttpResponseBase, name: str) -> None:
    """Watch what the sandbox issues: the tokens it mints and new tenants' management secrets."""
    if request.method != "POST" or response.streaming:
        return
    if name == "sandbox:token" and response.status_code == 200:
        body = _json(response.content)  # type: ignore[attr-defined]
        if isinstance(token := body.get("access_token"), str):
            canary.watch(token, ACCESS_TOKEN)
    elif name == "sandbox:tenants" and response.status_code == 201:
        management = _json(response.content).get("management_client")  # type: ignore[attr-defined]
        if isinstance(management, dict) and isinstance(
            secret := management.get("client_secret"), str
        ):
            canary.watch(secret, MANAGEMENT_CLIENT_SECRET)


def _json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _scanning(get_response: Callable[[BaseHandler, HttpRequest], HttpResponseBase]) -> Any:
    def get_response_scanned(self: BaseHandler, request: HttpRequest) -> HttpResponseBase:
        response = get_response(self, request)
        name = _route_name(request)
        if name.startswith("sandbox:"):
            _learn_from_sandbox(request, response, name)
        where = f"the response to {request.method} {request.path} ({response.status_code})"
        canary.scan(str(response.items()), where, exits=name)
        if response.streaming:
            response.streaming_content = _streamed(  # type: ignore[attr-defined]
                response.streaming_content,  # type: ignore[attr-defined]
                where,
                name,
            )
        else:
            canary.scan(response.content, where, exits=name)  # type: ignore[attr-defined]
        return response

    get_response_scanned.__wrapped__ = get_response  # type: ignore[attr-defined]
    return get_response_scanned


def _on_request_exception(
    sender: object, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """An exception escaping a view: its text ends up on an error page or in a report."""
    error = sys.exc_info()[1]
    if error is not None:
        path = request.path if request is not None else "?"
        canary.scan(f"{error!s} {error!r}", f"the exception raised by {path}")


# --- log records --------------------------------------------------------------------------------


class CanaryHandler(logging.Handler):
    """Scans every record: its message with arguments, exception text and extra fields."""

    def emit(self, record: logging.LogRecord) -> None:
        if not canary._watched:
            return
        parts = [str(record.msg)]
        try:
            parts.append(record.getMessage())
        except Exception:  # noqa: BLE001 - a malformed record is not the canary's concern
            parts.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            parts.append(f"{error!s} {error!r}")
        if record.exc_text:
            parts.append(record.exc_text)
        parts.extend(
            repr(value) for key, value in vars(record).items() if key not in _RECORD_FIELDS
        )
        canary.scan("\n".join(parts), f"a log record of {record.name!r} ({record.levelname})")


# --- audit entries -------------------------------------------------------------------------------


def _on_audit_entry_saved(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    text = "\n".join(
        [
            json.dumps(instance.parameters, default=str),
            instance.message,
            instance.target_type,
            instance.target_id,
            instance.target_label,
        ]
    )
    canary.scan(text, f"the dashboard action {instance.action!r} (audit entry)")


# --- installation --------------------------------------------------------------------------------

# Loggers raised to DEBUG while the canary runs, so records below their usual level exist too.
_LOGGERS = ("", "apps", "teamsadmin", "django", "urllib3", "celery", "kombu", "authlib")


class _Hooks:
    """The canary's hooks into logging, response handling, AuthClient and AuditEntry."""

    def __init__(self) -> None:
        self.handler = CanaryHandler(level=logging.DEBUG)
        self.levels: dict[logging.Logger, int] = {}
        self.console_levels: dict[logging.Handler, int] = {}

    def _loggers(self) -> list[logging.Logger]:
        loggers = [logging.getLogger(name) for name in _LOGGERS]
        # Loggers that do not pass records up to the root get the handler themselves.
        return loggers + [
            logger
            for logger in logging.root.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate
        ]

    def attach_logging(self) -> None:
        """(Again, when something reconfigured logging:) every logger at DEBUG, the handler on."""
        for logger in self._loggers():
            self.levels.setdefault(logger, logger.level)
            if logger.level != logging.DEBUG:
                logger.setLevel(logging.DEBUG)
            if (logger is logging.root or not logger.propagate) and self.handler not in (
                logger.handlers
            ):
                logger.addHandler(self.handler)
        # Records now created at DEBUG are for the canary; the console shows what it did before.
        for console in logging.root.handlers:
            if console is not self.handler and console not in self.console_levels:
                self.console_levels[console] = console.level
                console.setLevel(max(console.level, logging.INFO))

    def detach_logging(self) -> None:
        for logger, level in self.levels.items():
            logger.setLevel(level)
            logger.removeHandler(self.handler)
        for console, level in self.console_levels.items():
            console.setLevel(level)


_hooks = _Hooks()


def ensure_installed() -> None:
    """Called before each test: a test or library that reset logging loses the canary for
    itself only."""
    _hooks.attach_logging()


@contextmanager
def installed() -> Iterator[Canary]:
    """Hook the canary into response handling, logging and audit entries (the whole session)."""
    from django.conf import settings

    from apps.audit.models import AuditEntry
    from apps.authtenants.models import AuthClient
    from apps.sandbox import control

    _hooks.attach_logging()
    set_secret = AuthClient.set_secret
    ensure_client = control.ensure_client

    def set_secret_watched(self: Any, secret: str) -> None:
        set_secret(self, canary.watch(secret, AUTH_CLIENT_SECRET))

    def ensure_client_watched(*, client_secret: str, **options: Any) -> Any:
        return ensure_client(
            client_secret=canary.watch(client_secret, SANDBOX_CLIENT_SECRET), **options
        )

    get_response = BaseHandler.get_response
    BaseHandler.get_response = _scanning(get_response)  # type: ignore[method-assign]
    AuthClient.set_secret = set_secret_watched  # type: ignore[method-assign]
    control.ensure_client = ensure_client_watched
    post_save.connect(_on_audit_entry_saved, sender=AuditEntry, dispatch_uid="secret-canary")
    got_request_exception.connect(_on_request_exception, dispatch_uid="secret-canary")
    for secret in (
        settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET,
        settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET,
    ):
        canary.watch(secret, SANDBOX_CLIENT_SECRET, lasting=True)
    if settings.TEAMSADMIN_OIDC_CLIENT_SECRET:
        canary.watch(settings.TEAMSADMIN_OIDC_CLIENT_SECRET, OIDC_CLIENT_SECRET, lasting=True)
    try:
        yield canary
    finally:
        got_request_exception.disconnect(dispatch_uid="secret-canary")
        post_save.disconnect(sender=AuditEntry, dispatch_uid="secret-canary")
        control.ensure_client = ensure_client
        AuthClient.set_secret = set_secret  # type: ignore[method-assign]
        BaseHandler.get_response = get_response  # type: ignore[method-assign]
        _hooks.detach_logging()
