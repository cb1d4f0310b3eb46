"""Create a dashboard owner (the first one, typically), or reset one's password."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from apps.accounts.services import OwnerExists, owner_create


class Command(BaseCommand):
    help = (
        "Create a dashboard owner. The password is asked twice, or read from standard input "
        "with --password-stdin; --update resets an existing user's password and makes them owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The owner's username.")
        parser.add_argument("--email", default="", help="The owner's email address.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (scripts, secrets).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="If the user exists, set this password and make them owner.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        email: str = options["email"].strip()
        if not username:
            raise CommandError("The username is empty.")
        if len(username) > 150:
            raise CommandError("The username is longer than 150 characters.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not an email address.") from None
        password = self._read_password(stdin=options["password_stdin"])
        try:
            user, created = owner_create(
                username=username, email=email, password=password, update=options["update"]
            )
        except OwnerExists:
            raise CommandError(
                f"A user named {username!r} already exists. Run again with --update to give "
                "them this password and the owner role."
            ) from None
        except ValidationError as error:
            raise CommandError("The password was refused: " + " ".join(error.messages)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} owner {user.username!r}.")

    def _read_password(self, *, stdin: bool) -> str:
        if stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            return password
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given; nothing was changed.") from None
        if password != again:
            raise CommandError("The two passwords differ; nothing was changed.")
        if not password:
            raise CommandError("The password is empty; nothing was changed.")
        return password
