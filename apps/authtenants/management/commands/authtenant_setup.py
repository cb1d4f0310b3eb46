"""Create or update an Auth Tenant and one of its clients from the command line (idempotent)."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from apps.authtenants import services
from apps.authtenants.management.commands._actor import command_actor
from apps.authtenants.models import Cloud, Region
from apps.core.errors import ServiceError

SECRET_ENV = "TEAMSADMIN_AUTHTENANT_CLIENT_SECRET"  # noqa: S105 - a variable name, not a secret


def raise_command_error(error: ServiceError) -> NoReturn:
    details = "; ".join(
        f"{field}: {' '.join(messages)}" for field, messages in error.field_errors.items()
    )
    raise CommandError(details or error.message)


class Command(BaseCommand):
    help = (
        "Create or update an Auth Tenant (matched by --name) and its client (matched by --client-id). "
        f"The secret comes from --client-secret, --client-secret-file or ${SECRET_ENV}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--team-slug", required=True)
        parser.add_argument("--domain", required=True, help="e.g. acme.us.auth0.com")
        parser.add_argument("--region", choices=Region.values, default=Region.US)
        parser.add_argument("--cloud", choices=Cloud.values, default=Cloud.PUBLIC)
        parser.add_argument("--organization", default="")
        parser.add_argument("--audience", default="", help="Audience override")
        parser.add_argument("--api-base-url", default="", help="API base URL override")
        parser.add_argument("--auth-base-url", default="", help="Auth base URL override")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", default="")
        parser.add_argument("--client-secret-file", type=Path)
        parser.add_argument(
            "--scopes", required=True, help="Granted scopes, separated by spaces or commas"
        )
        parser.add_argument("--label", default="Default client")
        parser.add_argument("--disabled", action="store_true", help="Store the tenant disabled")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = self._secret(options)
        data = services.AuthTenantInput(
            name=options["name"],
            team_slug=options["team_slug"],
            domain=options["domain"],
            region=options["region"],
            cloud=options["cloud"],
            organization=options["organization"],
            audience_override=options["audience"],
            api_base_url_override=options["api_base_url"],
            auth_base_url_override=options["auth_base_url"],
            enabled=not options["disabled"],
        )
        client = services.AuthClientInput(
            label=options["label"],
            client_id=options["client_id"],
            scopes=options["scopes"].replace(",", " "),
            secret=secret,
        )
        try:
            auth_tenant, created = services.auth_tenant_setup(
                actor=command_actor(), data=data, clients=[client]
            )
        except ServiceError as error:
            raise_command_error(error)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} Auth Tenant {auth_tenant.name!r} (id {auth_tenant.pk}) "
                f"with client {client.client_id}."
            )
        )

    def _secret(self, options: dict[str, Any]) -> str:
        if options["client_secret_file"] is not None:
            try:
                return str(options["client_secret_file"].read_text()).strip()
            except OSError as exc:
                raise CommandError(f"Cannot read the client secret file: {exc.strerror}.") from None
        secret = str(options["client_secret"] or os.environ.get(SECRET_ENV, "")).strip()
        if not secret:
            raise CommandError(
                f"Give the client secret with --client-secret, --client-secret-file or ${SECRET_ENV}."
            )
        return secret
