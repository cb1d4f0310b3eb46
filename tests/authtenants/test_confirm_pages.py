"""Deleting and removing end on the list with a message, in any tab and on a second click; every
change on the Auth Tenants and Sync status pages says what it did."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from apps.authtenants.models import AuthClient, AuthTenant
from tests.factories import AuthClientFactory, AuthTenantFactory
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LIST = reverse("authtenants:list")


def _list_page(browser: Client) -> str:
    return browser.get(LIST).content.decode()


def test_the_confirm_form_is_a_plain_post_wherever_it_opens(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Plain")
    url = reverse("authtenants:delete", args=[tenant.pk])
    for headers in ({}, HTMX):  # a new tab gets the page, the list the inline dialog
        html = owner_client.get(url, headers=headers).content.decode()
        assert f'method="post" action="{url}"' in html
        assert "hx-post" not in html


def test_delete_in_a_new_tab_ends_on_the_list_with_a_message(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Globex")
    response = owner_client.post(reverse("authtenants:delete", args=[tenant.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert "Auth Tenant Globex deleted." in _list_page(owner_client)
    assert not AuthTenant.objects.filter(pk=tenant.pk).exists()


def test_delete_through_htmx_also_lands_on_the_list(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Globex")
    response = owner_client.post(reverse("authtenants:delete", args=[tenant.pk]), headers=HTMX)
    assert response["HX-Redirect"] == LIST
    assert "Auth Tenant Globex deleted." in _list_page(owner_client)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_second_click_on_delete_says_it_is_already_gone(
    owner_client: Client, method: str, headers: dict[str, str]
) -> None:
    tenant = AuthTenantFactory.create()
    url = reverse("authtenants:delete", args=[tenant.pk])
    owner_client.post(url)
    owner_client.get(LIST)  # read the first message

    response = getattr(owner_client, method)(url, headers=headers)

    assert response.status_code in (200, 302)
    assert LIST in (response.get("Location"), response.get("HX-Redirect"))
    assert "This Auth Tenant was already removed; nothing left to do." in _list_page(owner_client)


def test_removing_a_client_ends_on_the_list_with_a_message(owner_client: Client) -> None:
    client = AuthClientFactory.create(label="Old sync", auth_tenant__name="Acme")
    url = reverse("authtenants:client-remove", args=[client.pk])
    response = owner_client.post(url, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Client Old sync removed from Acme." in response.content.decode()
    assert not AuthClient.objects.filter(pk=client.pk).exists()

    again = owner_client.post(url, follow=True)
    assert again.redirect_chain == [(LIST, 302)]
    assert "This client was already removed; nothing left to do." in again.content.decode()


def _tenant_form(tenant: AuthTenant, **changes: str) -> dict[str, str]:
    data = {
        "name": tenant.name,
        "team_slug": tenant.team_slug,
        "domain": tenant.domain,
        "region": tenant.region,
        "cloud": tenant.cloud,
    }
    if tenant.enabled:
        data["enabled"] = "on"
    return {**data, **changes}


def test_editing_an_auth_tenant_says_it_was_saved_and_disabled(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Acme")
    form = _tenant_form(tenant)
    del form["enabled"]
    page = owner_client.post(reverse("authtenants:edit", args=[tenant.pk]), form, follow=True)
    assert "Auth Tenant Acme saved and disabled." in page.content.decode()

    form = _tenant_form(tenant, name="Acme Corp")
    del form["enabled"]
    page = owner_client.post(reverse("authtenants:edit", args=[tenant.pk]), form, follow=True)
    assert "Auth Tenant Acme Corp saved." in page.content.decode()


def test_adding_and_editing_a_client_say_what_they_did(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Acme")
    data = {"label": "Sync", "client_id": "acmeClient1", "secret": "s3cret", "enabled": "on"}
    page = owner_client.post(reverse("authtenants:client-add", args=[tenant.pk]), data, follow=True)
    assert "Client Sync added to Acme." in page.content.decode()

    client = tenant.clients.get()
    data = {"label": "Sync", "client_id": "acmeClient1", "secret": ""}
    page = owner_client.post(
        reverse("authtenants:client-edit", args=[client.pk]), data, follow=True
    )
    assert "Client Sync saved and disabled." in page.content.decode()


def test_test_connection_says_what_it_found(owner_client: Client) -> None:
    tenant = AuthTenantFactory.create(name="Acme")  # no client: nothing can work
    url = reverse("authtenants:test", args=[tenant.pk])

    page = owner_client.post(url).content.decode()
    assert "Connection test of Acme found problems." in page

    fragment = owner_client.post(url, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith(f'<article class="card" id="authtenant-{tenant.pk}"')
    assert 'id="messages"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "Connection test of Acme found problems." in fragment
    # Shown once: the message does not come back on the next page.
    assert "Connection test of Acme" not in _list_page(owner_client)


def test_a_working_connection_test_says_all_good(
    owner_client: Client, sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    page = owner_client.post(reverse("authtenants:test", args=[auth_tenant.pk]))
    assert f"Connection test of {auth_tenant.name}: all good." in page.content.decode()


def test_sync_now_says_it_was_requested(
    owner_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    tenant = AuthTenantFactory.create(name="Acme")
    with django_capture_on_commit_callbacks(execute=False):
        page = owner_client.post(reverse("sync:sync-now", args=[tenant.pk]), follow=True)
    assert "Sync of Acme requested; progress shows below." in page.content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_sync_now_of_a_deleted_auth_tenant_is_no_404(
    owner_client: Client, headers: dict[str, str]
) -> None:
    tenant = AuthTenantFactory.create()
    url = reverse("sync:sync-now", args=[tenant.pk])
    tenant.delete()
    response = owner_client.post(url, headers=headers, follow=True)
    assert response.status_code == 200
    assert "This Auth Tenant was removed; there is nothing to sync." in response.content.decode()
