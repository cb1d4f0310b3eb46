"""The actor that management commands act as: the operator at the shell, with owner rights."""

from __future__ import annotations

from django.contrib.auth.models import User


def command_actor() -> User:
    # Unsaved superuser: shell access already implies full control of the installation.
    return User(username="manage.py", is_superuser=True, is_active=True)
