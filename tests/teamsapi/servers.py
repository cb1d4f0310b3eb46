"""Small local HTTP servers playing a token endpoint, a JWKS host or an API, and settings for them.

The sandbox answers as the contract says; these answer whatever a test needs (redirects, a
reply that gets lost), and record every request they receive.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from apps.teamsapi.connection import ClientSettings, ConnectionSettings, OutboundPolicy

SECRET = "outbound-secret-3c1d9e"  # noqa: S105 - a test value, searched for in request bodies
OPAQUE_TOKEN = {
    "access_token": "opaque-token",
    "expires_in": 3600,
    "scope": "read:members delete:members",
}
CLIENT = ClientSettings(
    key="1",
    client_id="reader-client",
    label="Reader",
    scopes=frozenset({"read:members", "delete:members"}),
    read_secret=lambda: SECRET,
)
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Recorder:
    """An HTTP server that records each request; it gives the queued answers, then a standing one."""

    standing: Answer = (200, {}, b"{}")
    queued: list[Answer] = field(default_factory=list)
    hits: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, status: int, body: object = None, **headers: str) -> Recorder:
        """Answer every request so (after any queued answers)."""
        self.standing = _answer(status, body, headers)
        return self

    def first(self, status: int, body: object = None, **headers: str) -> Recorder:
        """Answer the next request so, once."""
        self.queued.append(_answer(status, body, headers))
        return self

    def next_answer(self) -> Answer:
        return self.queued.pop(0) if self.queued else self.standing


def _answer(status: int, body: object, headers: dict[str, str]) -> Answer:
    return status, headers, json.dumps(body).encode() if body is not None else b""


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorder.hits.append((self.command, self.path, dict(self.headers), body))
            status, headers, content = recorder.next_answer()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_DELETE = _answer  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


def recorders() -> Iterator[Callable[..., Recorder]]:
    """Body of the `serve` fixture: start recorders (HTTPS with `tls`); all stop at the end."""
    started: list[Recorder] = []

    def start(tls: ssl.SSLContext | None = None) -> Recorder:
        recorder = Recorder()
        recorder.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
        if tls is not None:
            recorder.server.socket = tls.wrap_socket(recorder.server.socket, server_side=True)
        threading.Thread(target=recorder.server.serve_forever, daemon=True).start()
        started.append(recorder)
        return recorder

    yield start
    for recorder in started:
        assert recorder.server is not None
        recorder.server.shutdown()
        recorder.server.server_close()


def connection_to(
    *,
    api: str,
    auth: str,
    allowed: Sequence[str] = ("127.0.0.1",),
    sandbox: tuple[str, int] | None = None,
    resolve: Callable[[str, int], Sequence[str]] | None = None,
) -> ConnectionSettings:
    policy = OutboundPolicy(allowed_hosts=frozenset(allowed), sandbox_origin=sandbox)
    if resolve is not None:
        policy = OutboundPolicy(frozenset(allowed), sandbox, resolve)
    return ConnectionSettings(
        ref="test",
        name="Test",
        domain="acme.us.auth0.com",
        api_base_url=api,
        token_url=f"{auth}/oauth/token",
        jwks_url=f"{auth}/.well-known/jwks.json",
        audience="https://acme.teams.auth0.com/api/",
        issuer="https://acme.us.auth0.com/",
        clients=(CLIENT,),
        outbound=policy,
    )


def no_sleep(seconds: float) -> None:
    return None
