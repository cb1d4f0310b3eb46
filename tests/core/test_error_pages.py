"""The 403, 404 and 500 pages as DEBUG=false shows them: the site's layout, the reason, a way on."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import path, reverse
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.core.errorpages import server_error
from teamsadmin import urls as root_urls


@login_not_required
def _failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected failure in a view")


# The URLconf of the 500 test: the real one, its handlers, plus a view that raises.
urlpatterns = [path("failing/", _failing_view), *root_urls.urlpatterns]
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500


@pytest.fixture(autouse=True)
def _production_mode(settings: SettingsWrapper) -> None:
    settings.DEBUG = False


def _assert_site_layout(html: str) -> None:
    assert 'class="topbar"' in html
    assert f'href="{reverse("core:home")}"' in html
    assert 'rel="icon"' in html


def test_403_says_why_in_the_layout(helpdesk_client: Client) -> None:
    response = helpdesk_client.get(reverse("activity:list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role does not allow you to view activity." in html
    assert "<title>Not allowed" in html
    _assert_site_layout(html)
    # The navigation the user may use is there, without the area they were refused.
    assert f'href="{reverse("members:list")}"' in html
    assert f'href="{reverse("activity:list")}"' not in html


def test_404_names_the_path_and_the_likely_causes(owner_client: Client) -> None:
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "<code>/no-such-page/</code>" in html
    assert "may have been deleted" in html
    _assert_site_layout(html)
    assert f'href="{reverse("tenants:list")}"' in html


def test_404_hides_the_lookup_that_failed(owner_client: Client) -> None:
    response = owner_client.get(reverse("authtenants:edit", args=[987654]))
    assert response.status_code == 404
    assert "matches the given query" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_500_page_in_the_layout_hides_the_error(owner_client: Client) -> None:
    owner_client.raise_request_exception = False
    response = owner_client.get("/failing/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "an unexpected failure" not in html
    _assert_site_layout(html)
    # Every area is linked, since finding out the user's role would need the database.
    for name in ("tenants:list", "members:list", "activity:list", "authtenants:list"):
        assert f'href="{reverse(name)}"' in html


def test_500_page_makes_no_database_query(
    rf: RequestFactory, owner: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    request = rf.get("/anything/")
    request.user = owner  # as a signed-in request carries it; its role and teams stay unread
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_a_stale_form_gets_a_plain_explanation(owner_client: Client) -> None:
    owner_client.handler.enforce_csrf_checks = True
    response = owner_client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    _assert_site_layout(html)


def test_the_site_icon_is_served_at_the_root(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    icon = finders.find("favicon.svg")
    assert isinstance(icon, str)
    assert Path(icon).read_text().startswith("<svg")
