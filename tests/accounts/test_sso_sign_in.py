"""Single sign-on through the sandbox's Auth Tenant over real HTTP: roles from claims, no access."""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.models import SsoIdentity
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.core.capabilities import Role, role_of
from apps.sandbox.models import SandboxUser
from tests.accounts.sso import TIMEOUT, demo_person, sign_in
from tests.fixtures.sandbox import Sandbox


def _user_for(email: str) -> User:
    return SsoIdentity.objects.select_related("user").get(email=email).user


@pytest.mark.parametrize(
    ("who", "role"), [("olivia", Role.OWNER), ("hugo", Role.HELPDESK), ("ada", Role.AUDITOR)]
)
def test_each_demo_person_signs_in_with_the_role_their_groups_give(
    sso: Sandbox, who: str, role: Role
) -> None:
    person = demo_person(who)

    result = sign_in(sso.url, person.email, person.password)

    assert result.answer.status_code == 302
    assert result.answer.headers["Location"] == "/"
    assert f"Your role: {role.value.capitalize()}" in result.page("/").text
    user = _user_for(person.email)
    assert role_of(user) == role
    assert not user.has_usable_password()
    link = SsoIdentity.objects.get(user=user)
    assert link.subject == person.user_id
    assert link.issuer == f"{sso.auth_base_url}/"
    entry = AuditEntry.objects.get(action=AuditAction.SSO_ROLE_SET)
    assert entry.actor == user
    assert entry.outcome == AuditOutcome.SUCCESS
    assert (
        entry.message
        == f"Role set to {role.value} from the https://teamsadmin.example/roles claim."
    )


def test_the_person_is_known_by_subject_not_by_email(sso: Sandbox) -> None:
    person = demo_person("ada")
    # A local account that happens to hold the email as its username is not taken over.
    User.objects.create_user(person.email, password="local-password")  # noqa: S106

    sign_in(sso.url, person.email, person.password)
    SandboxUser.objects.filter(email=person.email).update(email="ada.renamed@acme.example")
    sign_in(sso.url, "ada.renamed@acme.example", person.password)

    links = SsoIdentity.objects.all()
    assert [link.email for link in links] == ["ada.renamed@acme.example"]
    assert links[0].user.username.startswith(f"{person.email}~")
    assert role_of(User.objects.get(username=person.email)) is None


def test_claims_with_no_mapped_role_get_a_no_access_page_and_no_session(sso: Sandbox) -> None:
    person = demo_person("noah")

    result = sign_in(sso.url, person.email, person.password)

    assert result.answer.status_code == 403
    page = result.answer.text
    assert "No access to Teams Admin" in page
    assert "https://teamsadmin.example/roles" in page
    assert "<code>engineering</code>" in page
    assert "<code>teams-auditors</code> gives the auditor role" in page
    assert result.page("/").status_code == 302  # still signed out
    assert not User.objects.filter(email=person.email).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome) == (AuditAction.SSO_SIGN_IN, AuditOutcome.FAILURE)
    assert entry.target_label == person.email
    assert "held engineering" in entry.message


def test_a_role_changed_at_the_provider_changes_at_the_next_sign_in(sso: Sandbox) -> None:
    person = demo_person("hugo")
    sign_in(sso.url, person.email, person.password)
    assert role_of(_user_for(person.email)) == Role.HELPDESK

    SandboxUser.objects.filter(email=person.email).update(roles=["teams-helpdesk", "teams-owners"])
    again = sign_in(sso.url, person.email, person.password)

    assert again.answer.status_code == 302
    assert role_of(_user_for(person.email)) == Role.OWNER  # the most powerful wins
    changed = AuditEntry.objects.filter(action=AuditAction.SSO_ROLE_SET).first()
    assert changed is not None
    assert changed.message.startswith("Role set from helpdesk to owner")

    SandboxUser.objects.filter(email=person.email).update(roles=["engineering"])
    last = sign_in(sso.url, person.email, person.password)

    assert last.answer.status_code == 403
    assert role_of(User.objects.get(pk=_user_for(person.email).pk)) is None
    lost = AuditEntry.objects.first()
    assert lost is not None and lost.outcome == AuditOutcome.FAILURE
    assert "The owner role it gave before was removed." in lost.message


def test_an_unchanged_role_is_not_audited_again(sso: Sandbox) -> None:
    person = demo_person("ada")
    sign_in(sso.url, person.email, person.password)
    sign_in(sso.url, person.email, person.password)

    assert AuditEntry.objects.filter(action=AuditAction.SSO_ROLE_SET).count() == 1


def test_a_groups_claim_can_carry_the_roles(sso: Sandbox, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_OIDC_ROLES_CLAIM = "groups"
    person = demo_person("olivia")

    sign_in(sso.url, person.email, person.password)

    assert role_of(_user_for(person.email)) == Role.OWNER


def test_the_sign_in_page_offers_single_sign_on_and_returns_to_the_page_asked_for(
    sso: Sandbox,
) -> None:
    login = requests.get(f"{sso.url}/activity/", timeout=TIMEOUT)
    assert "Sign in with single sign-on" in login.text
    assert "Through Acme sign-in." in login.text
    assert "/accounts/login/sso/?next=/activity/" in login.text
    person = demo_person("ada")

    result = sign_in(sso.url, person.email, person.password, query="?next=/activity/")

    assert result.answer.headers["Location"] == "/activity/"


def test_a_next_url_elsewhere_is_not_followed(sso: Sandbox) -> None:
    person = demo_person("ada")

    result = sign_in(sso.url, person.email, person.password, query="?next=https://evil.example/")

    assert result.answer.headers["Location"] == "/"
