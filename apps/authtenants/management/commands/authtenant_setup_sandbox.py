"""Create or update the demo Auth Tenant "Acme (sandbox)" pointing at the built-in sandbox."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.authtenants import services
from apps.authtenants.features import KNOWN_SCOPES
from apps.authtenants.management.commands._actor import command_actor
from apps.authtenants.management.commands.authtenant_setup import raise_command_error
from apps.authtenants.models import Cloud, Region
from apps.core.errors import ServiceError
from apps.teamsapi.contract import Scope

SANDBOX_NAME = "Acme (sandbox)"
SANDBOX_TEAM = "acme"
SANDBOX_DOMAIN = "acme.us.auth0.com"
READ_ONLY_SCOPES = (Scope.READ_TENANTS, Scope.READ_MEMBERS, Scope.READ_TEAM_ACTIVITY)


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
        data = services.AuthTenantInput(
            name=SANDBOX_NAME,
            team_slug=SANDBOX_TEAM,
            domain=SANDBOX_DOMAIN,
            region=Region.US,
            cloud=Cloud.PUBLIC,
            api_base_url_override=f"{root}/teams/{SANDBOX_TEAM}",
            auth_base_url_override=f"{root}/auth/{SANDBOX_DOMAIN}",
        )
        clients = [
            services.AuthClientInput(
                label="Owner actions",
                client_id=settings.TEAMSADMIN_SANDBOX_CLIENT_ID,
                scopes=" ".join(KNOWN_SCOPES),
                secret=settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET,
            ),
            services.AuthClientInput(
                label="Read-only sync",
                client_id=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID,
                scopes=" ".join(READ_ONLY_SCOPES),
                secret=settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET,
            ),
        ]
        try:
            auth_tenant, created = services.auth_tenant_setup(
                actor=command_actor(), data=data, clients=clients
            )
        except ServiceError as error:
            raise_command_error(error)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} Auth Tenant {auth_tenant.name!r} for {root}.")
        )
