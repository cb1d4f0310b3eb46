"""Create one demo login per dashboard role and print them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.services import user_ensure
from apps.core.capabilities import Role

DEMO_PASSWORDS = {role: f"teamsadmin-{role.value}" for role in Role}


class Command(BaseCommand):
    help = "Create the demo logins (owner, helpdesk, auditor); only while the sandbox is on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Create the logins without printing them."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TEAMSADMIN_SANDBOX:
            raise CommandError(
                "Demo logins have well-known passwords; they are only created while the sandbox is "
                "on (TEAMSADMIN_SANDBOX=true). Use `manage.py createowner` for real users."
            )
        users = {
            role: user_ensure(username=role.value, password=password, role=role)[0]
            for role, password in DEMO_PASSWORDS.items()
        }
        if options["quiet"]:
            return
        lines = ["Demo logins (user / password):"]
        for role, password in DEMO_PASSWORDS.items():
            # An existing user keeps its password: say so when the demo one no longer works.
            note = "" if users[role].check_password(password) else "  (password changed since)"
            lines.append(f"  {role.value:<9} {role.value} / {password}{note}")
        self.stdout.write("\n".join(lines))
