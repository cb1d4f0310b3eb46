"""The access panels the member and tenant pages include, rendered from their selectors."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from apps.access import selectors
from apps.authtenants.features import KNOWN_SCOPES
from tests.factories import AuthClientFactory
from tests.fixtures.directory import Directory

MEMBER_PANEL = "access/_member_panel.html"
TENANT_PANEL = "access/_tenant_panel.html"


def _with_all_scopes(directory: Directory) -> None:
    AuthClientFactory.create(
        auth_tenant=directory.auth_tenant, scopes=" ".join(sorted(KNOWN_SCOPES))
    )


def _member_panel(user: User, directory: Directory, **overrides: Any) -> str:
    context = selectors.member_access_panel(
        user=user, auth_tenant=directory.auth_tenant, member=overrides.get("member", directory.ada)
    )
    return render_to_string(MEMBER_PANEL, context)


def test_owner_sees_grant_and_per_tenant_actions_with_labels(
    owner: User, directory: Directory
) -> None:
    _with_all_scopes(directory)
    html = _member_panel(owner, directory)

    ada = directory.ada.member_id
    change = reverse("access:change", args=[ada])
    revoke = reverse("access:revoke", args=[ada])
    assert f'href="{change}?tenant={directory.prod.tenant_id}"' in html
    assert f'href="{revoke}?tenant={directory.dev.tenant_id}"' in html
    assert f'href="{reverse("access:grant", args=[ada])}"' in html
    assert f'formaction="{revoke}"' in html and f'action="{change}"' in html
    assert "Editor – Users" in html and ">editor-users<" not in html
    assert "Needs `" not in html and "disabled" not in html


def test_without_the_scope_every_action_is_disabled_with_the_gate(
    owner: User, directory: Directory
) -> None:
    html = _member_panel(owner, directory)  # the fixture's Auth Tenant has no client at all

    assert "Needs `update:members`" in html
    assert reverse("authtenants:edit", args=[directory.auth_tenant.pk]) in html
    assert 'href="' + reverse("access:change", args=[directory.ada.member_id]) not in html
    # grant, copy a colleague's access, and change + remove for 2 tenants
    assert html.count('aria-disabled="true"') == 6
    assert html.count(" disabled") >= 2


@pytest.mark.parametrize("persona", ["helpdesk", "auditor"])
def test_helpdesk_and_auditors_see_no_panel(
    persona: str, directory: Directory, request: pytest.FixtureRequest
) -> None:
    _with_all_scopes(directory)
    user = request.getfixturevalue(persona)

    assert _member_panel(user, directory).strip() == ""
    context = selectors.tenant_access_panel(
        user=user, auth_tenant=directory.auth_tenant, tenant=directory.dev
    )
    assert render_to_string(TENANT_PANEL, context).strip() == ""


def test_no_actions_for_a_member_who_left(owner: User, directory: Directory) -> None:
    _with_all_scopes(directory)
    assert _member_panel(owner, directory, member=directory.left).strip() == ""


def test_tenant_panel_lists_current_members_with_their_actions(
    owner: User, directory: Directory
) -> None:
    _with_all_scopes(directory)
    context = selectors.tenant_access_panel(
        user=owner, auth_tenant=directory.auth_tenant, tenant=directory.prod
    )

    html = render_to_string(TENANT_PANEL, context)

    tenant = directory.prod.tenant_id
    assert f"{reverse('access:change', args=[directory.ada.member_id])}?tenant={tenant}" in html
    assert f"{reverse('access:revoke', args=[directory.ada.member_id])}?tenant={tenant}" in html
    assert directory.bob.member_id not in html  # Bob's access to prod ended
    assert reverse("access:tenant-grant", args=[tenant]) in html


def test_panels_take_a_fixed_number_of_queries(
    owner: User, directory: Directory, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    _with_all_scopes(directory)
    with django_assert_max_num_queries(5):
        render_to_string(
            MEMBER_PANEL,
            selectors.member_access_panel(
                user=owner, auth_tenant=directory.auth_tenant, member=directory.ada
            ),
        )
    with django_assert_max_num_queries(4):
        render_to_string(
            TENANT_PANEL,
            selectors.tenant_access_panel(
                user=owner, auth_tenant=directory.auth_tenant, tenant=directory.dev
            ),
        )
