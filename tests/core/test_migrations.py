"""Every model change ships with its migration."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
