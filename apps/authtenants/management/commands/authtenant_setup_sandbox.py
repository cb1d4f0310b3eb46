"""Create or update the demo Auth Tenant "Acme (sandbox)" pointing at the built-in sandbox."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.authtenants.management.commands._actor import command_actor
from apps.authtenants.management.commands.authtenant_setup import raise_command_error
from apps.authtenants.sandbox import sandbox_auth_tenant_setup
from apps.core.errors import ServiceError

SANDBOX_NAME = "Acme (sandbox)"


class Command(BaseCommand):
    help = "Point the demo Auth Tenant 'Acme (sandbox)' at the sandbox served on this port."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TEAMSADMIN_SANDBOX:
            # `make run` calls this unconditionally; without the sandbox there is nothing to point at.
            self.stdout.write("The sandbox is off (TEAMSADMIN_SANDBOX=false); nothing to set up.")
            return
        root = f"http://{options['host']}:{options['port']}/sandbox"
        try:
            auth_tenant, created = sandbox_auth_tenant_setup(
                actor=command_actor(), root=root, name=SANDBOX_NAME
            )
        except ServiceError as error:
            raise_command_error(error)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} Auth Tenant {auth_tenant.name!r} for {root}.")
        )
