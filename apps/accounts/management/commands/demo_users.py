"""Create one demo login per dashboard role and print them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import user_ensure
from apps.core.capabilities import Role

DEMO_PASSWORDS = {role: f"teamsadmin-{role.value}" for role in Role}


class Command(BaseCommand):
    help = "Create the demo logins (owner, helpdesk, auditor); only while the sandbox is on."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TEAMSADMIN_SANDBOX:
            raise CommandError(
                "Demo logins have well-known passwords; they are only created while the sandbox is "
                "on (TEAMSADMIN_SANDBOX=true). Use `manage.py createsuperuser` for real users."
            )
        self.stdout.write("Demo logins (user / password):")
        for role, password in DEMO_PASSWORDS.items():
            _, created = user_ensure(username=role.value, password=password, role=role)
            note = "" if created else "  (existing user, password unchanged)"
            self.stdout.write(f"  {role.value:<9} {role.value} / {password}{note}")
