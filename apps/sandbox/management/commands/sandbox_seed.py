"""manage.py sandbox_seed: fill the sandbox with deterministic sample data and print the demo clients."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from apps.sandbox import control, seeding
from apps.sandbox.models import SandboxTeam


class Command(BaseCommand):
    help = (
        "Seed the Teams API sandbox (team, Auth Tenant, demo clients, tenants, members, activity)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", default="acme", help="team slug (default: acme)")
        parser.add_argument(
            "--auth-domain", default=None, help="Auth Tenant domain (default: <team>.us.auth0.com)"
        )
        parser.add_argument("--tenants", type=int, default=12)
        parser.add_argument("--members", type=int, default=120)
        parser.add_argument("--activity", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="leave an existing team alone (demo clients are still ensured)",
        )
        parser.add_argument("--reset", action="store_true", help="remove all sandbox data first")

    def handle(self, *args: Any, **options: Any) -> None:
        team = options["team"]
        auth_domain = options["auth_domain"] or f"{team}.us.auth0.com"
        if options["reset"]:
            control.reset()
        if options["if_empty"] and SandboxTeam.objects.filter(slug=team).exists():
            seeding.ensure_demo_clients(auth_domain)
            self.stdout.write(f"Sandbox team {team} already seeded; demo clients ensured.")
        else:
            started = time.perf_counter()
            counts = control.seed(
                team_slug=team,
                auth_domain=auth_domain,
                tenants=options["tenants"],
                members=options["members"],
                activity=options["activity"],
                seed=options["seed"],
            )
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"Seeded team {team}: {counts.tenants} tenants, {counts.members} members, "
                f"{counts.activity} activity entries in {elapsed:.1f} s."
            )
        self.stdout.write(
            f"Auth Tenant: {auth_domain}  audience: https://{team}.teams.auth0.com/api/"
        )
        # Sandbox-only demo credentials, printed so a developer can point a client at the sandbox.
        self.stdout.write(
            f"Owner client:     {settings.TEAMSADMIN_SANDBOX_CLIENT_ID} / {settings.TEAMSADMIN_SANDBOX_CLIENT_SECRET}"
        )
        self.stdout.write(
            f"Read-only client: {settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID} / "
            f"{settings.TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET}"
        )
