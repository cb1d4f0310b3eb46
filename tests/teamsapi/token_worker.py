"""Child process for the single-flight test: shares a file database (and its cache) with siblings.

`prep DB CONFIG`: create the tables, the Auth Tenant row and prime the token cache.
`run DB THREADS`: prints "ready", reads the start time (epoch seconds) from stdin, then every
thread asks for a token at that moment; prints JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time


def _setup(db_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamsadmin.settings")
    os.environ["TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS"] = "0"
    import django

    django.setup()


def prep(db_path: str, config_json: str) -> None:
    _setup(db_path)
    from django.conf import settings
    from django.core.management import call_command

    from apps.authtenants.connection import (
        client_settings,
        connection_settings,
        forget_client_token,
        recording_token_provider,
    )
    from apps.authtenants.models import AuthClient, AuthTenant

    config = json.loads(config_json)
    call_command("migrate", "authtenants", verbosity=0)
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", verbosity=0)
    tenant = AuthTenant.objects.create(**config["tenant"])
    row = AuthClient(auth_tenant=tenant, **config["client"])
    row.set_secret(config["secret"])
    row.save()
    forget_client_token(row)
    token = recording_token_provider().token(connection_settings(tenant), client_settings(row))
    print(json.dumps({"client_pk": row.pk, "expires_at": token.expires_at}))


def run(db_path: str, threads: int) -> None:
    _setup(db_path)
    from django.db import connection

    from apps.authtenants.connection import (
        client_settings,
        connection_settings,
        recording_token_provider,
    )
    from apps.authtenants.models import AuthClient

    row = AuthClient.objects.select_related("auth_tenant").get()
    target = connection_settings(row.auth_tenant), client_settings(row)
    connection.close()
    provider = recording_token_provider()
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    seen: list[str] = []
    errors: list[str] = []

    def call() -> None:
        time.sleep(max(0.0, start_at - time.time()))
        try:
            token = provider.token(*target)
        except Exception as exc:  # reported to the parent, which fails the test
            errors.append(repr(exc))
        else:
            seen.append(hashlib.sha256(token.value.encode()).hexdigest()[:16])

    workers = [threading.Thread(target=call) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"tokens": seen, "errors": errors, "minted": provider.tokens_minted}))


if __name__ == "__main__":
    if sys.argv[1] == "prep":
        prep(sys.argv[2], sys.argv[3])
    else:
        run(sys.argv[2], int(sys.argv[3]))
