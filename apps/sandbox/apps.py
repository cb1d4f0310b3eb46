"""The Teams API sandbox app."""

from django.apps import AppConfig
from django.conf import settings


class SandboxConfig(AppConfig):
    name = "apps.sandbox"
    label = "sandbox"
    verbose_name = "Teams API sandbox"

    def ready(self) -> None:
        if settings.TEAMSADMIN_SANDBOX:
            from django.core.servers.basehttp import WSGIRequestHandler

            # The sandbox is served by Django's development server (`make run`, the tests' live
            # server), which writes a response's headers and body separately. On a kept-alive
            # connection Nagle's algorithm then holds the body until the client's delayed ACK:
            # ~40 ms per API call. socketserver's documented switch sets TCP_NODELAY.
            WSGIRequestHandler.disable_nagle_algorithm = True
