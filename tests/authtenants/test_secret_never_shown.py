"""A client secret never reaches a page, the admin, a repr or the re-rendered form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.authtenants.forms import AuthClientForm
from apps.authtenants.models import AuthClient
from apps.authtenants.services import AuthClientInput
from tests.factories import AuthClientFactory

pytestmark = pytest.mark.django_db

CANARY = "canary-secret-5b1e2d"


def _canary_client() -> AuthClient:
    return AuthClientFactory.create(label="Canary", secret=CANARY)


def test_repr_and_str_hold_no_secret() -> None:
    client = _canary_client()
    for text in (repr(client), str(client), repr(client.auth_tenant), str(client.auth_tenant)):
        assert CANARY not in text
        assert client.secret_encrypted not in text
    assert CANARY not in repr(AuthClientInput(label="x", client_id="y", scopes="", secret=CANARY))


def test_pages_never_show_the_secret(owner_client: Client, auditor_client: Client) -> None:
    client = _canary_client()
    pages = [
        owner_client.get(reverse("authtenants:list")),
        auditor_client.get(reverse("authtenants:list")),
        owner_client.get(reverse("authtenants:client-edit", args=[client.pk])),
        owner_client.get(reverse("authtenants:edit", args=[client.auth_tenant.pk])),
        owner_client.get(reverse("authtenants:client-remove", args=[client.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert CANARY not in html
        assert client.secret_encrypted not in html


def test_a_rejected_form_does_not_echo_the_typed_secret(owner_client: Client) -> None:
    client = _canary_client()
    response = owner_client.post(
        reverse("authtenants:client-edit", args=[client.pk]),
        {"label": "", "client_id": client.client_id, "secret": "typed-" + CANARY},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["label"]
    assert CANARY not in response.content.decode()


def test_the_form_after_a_save_does_not_show_the_secret(owner_client: Client) -> None:
    client = _canary_client()
    owner_client.post(
        reverse("authtenants:client-edit", args=[client.pk]),
        {"label": "Saved", "client_id": client.client_id, "secret": "new-" + CANARY},
    )
    html = owner_client.get(reverse("authtenants:client-edit", args=[client.pk])).content.decode()
    assert "Saved" in html
    assert CANARY not in html
    assert "Leave blank to keep the stored secret." in html
    assert 'type="password"' in html


def test_bound_client_form_renders_no_secret_value() -> None:
    form = AuthClientForm({"label": "x", "client_id": "y", "secret": CANARY})
    assert CANARY not in str(form)


def test_admin_treats_the_secret_as_write_only(admin_client: Client) -> None:
    client = _canary_client()
    pages = [
        admin_client.get(reverse("admin:authtenants_authclient_change", args=[client.pk])),
        admin_client.get(reverse("admin:authtenants_authclient_changelist")),
        admin_client.get(
            reverse("admin:authtenants_authtenant_change", args=[client.auth_tenant.pk])
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert CANARY not in html
        assert client.secret_encrypted not in html


def test_admin_keeps_the_secret_when_left_blank_and_sets_a_new_one(admin_client: Client) -> None:
    client = _canary_client()
    url = reverse("admin:authtenants_authclient_change", args=[client.pk])
    form = {
        "auth_tenant": client.auth_tenant.pk,
        "label": "Canary",
        "client_id": client.client_id,
        "scopes": client.scopes,
        "enabled": "on",
        "secret": "",
    }
    assert admin_client.post(url, form).status_code == 302
    assert AuthClient.objects.get(pk=client.pk).get_secret() == CANARY
    assert admin_client.post(url, {**form, "secret": "rotated"}).status_code == 302
    assert AuthClient.objects.get(pk=client.pk).get_secret() == "rotated"
