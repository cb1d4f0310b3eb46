"""A response body cut off mid-way: a retryable failure, and its connection is not reused.

The sandbox always sends whole bodies, so a small socket server plays an API whose connection
drops after the headers and a few bytes of a longer body.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.connection import teams_client
from apps.authtenants.models import AuthTenant
from apps.teamsapi.errors import RETRYABLE, TeamsApiUnavailable
from tests.teamsapi.conftest import RecordingSleep, sleeping_client

pytestmark = pytest.mark.django_db(transaction=True)

CUT_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    b'{"environments": ["pub'
)


class CuttingServer:
    """Answers every request with a body shorter than its Content-Length, then hangs up."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)  # so the loop notices `stop`
        self.stop = threading.Event()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(5)
            self.connections += 1
            with conn:
                conn.recv(65536)
                conn.sendall(CUT_RESPONSE)


@pytest.fixture
def cutting_server() -> Iterator[CuttingServer]:
    server = CuttingServer()
    server.thread.start()
    yield server
    server.stop.set()
    server.thread.join(5)
    server.sock.close()


def test_a_body_cut_short_is_retried_on_a_new_connection_then_reported(
    auth_tenant: AuthTenant,
    cutting_server: CuttingServer,
    recording_sleep: RecordingSleep,
    settings: SettingsWrapper,
) -> None:
    with teams_client(auth_tenant) as client:
        client.list_environments()  # the token comes from the sandbox
    auth_tenant.api_base_url_override = cutting_server.url
    settings.TEAMSADMIN_ALLOWED_API_HOSTS = [urlsplit(cutting_server.url).netloc]

    with (
        sleeping_client(auth_tenant, recording_sleep) as client,
        pytest.raises(TeamsApiUnavailable) as info,
    ):
        client.list_environments()

    assert isinstance(info.value, RETRYABLE)
    assert client.requests_made == 3  # the first try and two retries
    assert cutting_server.connections == 3  # a cut connection never goes back to the pool
