"""Walks the URLconf: every answer carries the security headers, for every role and anonymous.

Content-Security-Policy without inline script or eval, no framing, nosniff, a referrer policy,
and Cache-Control no-store on everything sent to a signed-in user (pages, partials, exports,
redirects). Public static files keep their long cache.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.fixtures.directory import Directory
from tests.urlwalk import Route, routes

ROUTES = routes(skip=("admin/", "static/"))

POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
)


def assert_secure_headers(response: object, where: str, *, signed_in: bool) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = headers.get("Content-Security-Policy", "")
    directives = {part.strip() for part in policy.split(";")}
    assert set(POLICY) <= directives, f"{where}: Content-Security-Policy is {policy!r}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    if signed_in:
        assert headers.get("Cache-Control") == "no-store", (
            f"{where}: Cache-Control is {headers.get('Cache-Control')!r}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_route_answers_with_the_security_headers(
    route: Route, owner: User, helpdesk: User, auditor: User
) -> None:
    anonymous = Client()
    for method in ("get", "head"):
        response = getattr(anonymous, method)(route.url)
        assert_secure_headers(response, f"{method} {route.url} as anonymous", signed_in=False)
    for user in (owner, helpdesk, auditor):
        client = Client()
        client.force_login(user)
        for method in ("get", "head", "post"):
            response = getattr(client, method)(route.url)
            where = f"{method.upper()} {route.url} as {user.username} ({response.status_code})"
            assert_secure_headers(response, where, signed_in=True)


def test_partials_exports_and_redirects_to_signed_in_users_are_not_stored(
    owner_client: Client, directory: Directory
) -> None:
    partial = owner_client.get(reverse("activity:list"), headers={"HX-Request": "true"})
    export = owner_client.post(reverse("activity:export"), {"export_format": "csv"})
    csv = owner_client.get(reverse("access:changes-export"), {"since": "2026-11-10"})
    signed_out = owner_client.post(reverse("accounts:logout"))

    assert (partial.status_code, export.status_code, csv.status_code) == (200, 200, 200)
    assert signed_out.status_code == 302
    for response in (partial, export, csv, signed_out):
        assert response["Cache-Control"] == "no-store"
        assert "Expires" not in response


def test_the_added_slash_redirect_to_a_signed_in_user_is_not_stored(owner_client: Client) -> None:
    response = owner_client.get("/members")

    assert response.status_code == 301
    assert response["Location"] == "/members/"
    assert response["Cache-Control"] == "no-store"


def test_the_sign_in_redirect_is_not_stored(client: Client, owner: User) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": owner.username, "password": "pw"}
    )

    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"


def test_only_answers_to_signed_in_users_are_marked(client: Client, owner_client: Client) -> None:
    anonymous = client.get("/favicon.ico")
    signed_in = owner_client.get("/favicon.ico")

    assert (anonymous.status_code, signed_in.status_code) == (302, 302)
    assert "Cache-Control" not in anonymous
    assert signed_in["Cache-Control"] == "no-store"


def test_static_files_keep_their_long_cache_for_signed_in_users(
    settings: SettingsWrapper, owner: User
) -> None:
    # whitenoise reads these when the client builds its middleware, as at process start.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_MAX_AGE = 31_536_000
    client = Client()
    client.force_login(owner)

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=31536000, public"
