"""Re-encrypt every stored client secret with the first key of TEAMSADMIN_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.authtenants import crypto
from apps.authtenants.models import AuthClient


class Command(BaseCommand):
    help = (
        "Re-encrypt every client secret with the first key in TEAMSADMIN_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            crypto.check_keys()
        except crypto.SecretKeyError as exc:
            raise CommandError(exc.message) from None
        clients = list(AuthClient.objects.select_related("auth_tenant").order_by("pk"))
        rotated: list[tuple[AuthClient, str]] = []
        unreadable: list[str] = []
        for client in clients:
            try:
                rotated.append((client, crypto.reencrypt(client.secret_encrypted)))
            except crypto.SecretKeyError:
                unreadable.append(
                    f"{client.auth_tenant.name} / {client.label} ({client.client_id})"
                )
        if unreadable:
            # All or nothing: a half-rotated table would leave the operator unsure which key to keep.
            raise CommandError(
                f"{len(unreadable)} of {len(clients)} client secrets cannot be decrypted with any "
                "configured key, so nothing was changed: " + "; ".join(unreadable)
            )
        with transaction.atomic():
            for client, ciphertext in rotated:
                client.secret_encrypted = ciphertext
                client.save(update_fields=["secret_encrypted"])
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {len(rotated)} client secrets with the first key.")
        )
