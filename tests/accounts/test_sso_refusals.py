"""Single sign-on refusals: spoilt ID tokens, a bad state, a replayed callback, policy failures.

The sandbox spoils its ID tokens through its fault switch; each refusal must leave the person
signed out, say why on the sign-in page, and be a failed dashboard action holding no secret.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.models import SsoIdentity
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from tests.accounts.sso import TIMEOUT, Round, demo_person, provider_form, sign_in
from tests.fixtures.sandbox import Sandbox


def _refused(result: Round, words: str) -> AuditEntry:
    """The callback sent the person back to the sign-in page, saying `words`; no one signed in."""
    assert result.answer.status_code == 302
    assert result.answer.headers["Location"] == "/accounts/login/"
    login = result.page("/accounts/login/")
    assert words in login.text
    assert result.page("/").status_code == 302
    assert not SsoIdentity.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome) == (AuditAction.SSO_SIGN_IN, AuditOutcome.FAILURE)
    assert words in entry.message
    code = parse_qs(urlsplit(result.callback_url).query).get("code", [""])[0]
    stored = f"{entry.message} {entry.parameters} {entry.target_label}"
    assert not code or code not in stored
    return entry


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("wrong_nonce", "belongs to another sign-in (nonce)"),
        ("wrong_audience", "is meant for another application (audience)"),
        ("wrong_issuer", "was issued by someone else (issuer)"),
        ("expired", "has expired"),
        ("future_iat", "has an implausible issue time"),
        ("bad_signature", "has a signature the provider did not make (signature)"),
    ],
)
def test_a_spoilt_id_token_is_refused(sso: Sandbox, fault: str, words: str) -> None:
    sso.set_faults(id_token_fault=fault)
    person = demo_person("olivia")

    entry = _refused(sign_in(sso.url, person.email, person.password), words)

    assert entry.parameters == {"reason": "bad_token"}


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(sso: Sandbox) -> None:
    person = demo_person("olivia")
    session = requests.Session()
    action, fields = provider_form(session, sso.url)
    posted = session.post(
        action,
        data={**fields, "email": person.email, "password": person.password},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    callback = posted.headers["Location"].replace(fields["state"], "forged-state")

    answer = session.get(callback, timeout=TIMEOUT, allow_redirects=False)

    _refused(
        Round(session, callback, answer), "could not be matched to one started in this browser"
    )


def test_a_replayed_callback_does_not_sign_in_again(sso: Sandbox) -> None:
    person = demo_person("olivia")
    first = sign_in(sso.url, person.email, person.password)
    assert first.answer.status_code == 302 and first.answer.headers["Location"] == "/"
    other_browser = requests.Session()

    replay = other_browser.get(first.callback_url, timeout=TIMEOUT, allow_redirects=False)

    assert replay.headers["Location"] == "/accounts/login/"
    assert (
        other_browser.get(f"{sso.url}/", timeout=TIMEOUT, allow_redirects=False).status_code == 302
    )
    failure = AuditEntry.objects.filter(action=AuditAction.SSO_SIGN_IN).get()
    assert failure.parameters == {"reason": "bad_state"}


def test_an_email_domain_not_allowed_is_refused(sso: Sandbox, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_OIDC_ALLOWED_DOMAINS = ["example.org", "acme.example.com"]
    person = demo_person("olivia")

    entry = _refused(
        sign_in(sso.url, person.email, person.password),
        "Email addresses at acme.example may not sign in to this dashboard.",
    )

    assert entry.target_label == person.email


def test_an_allowed_domain_signs_in(sso: Sandbox, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_OIDC_ALLOWED_DOMAINS = ["acme.example"]
    person = demo_person("olivia")

    assert sign_in(sso.url, person.email, person.password).answer.headers["Location"] == "/"


def test_an_unverified_email_is_refused(sso: Sandbox) -> None:
    person = demo_person("uma")

    _refused(
        sign_in(sso.url, person.email, person.password),
        "The email address uma@acme.example is not verified",
    )


def test_a_cancelled_sign_in_says_so(sso: Sandbox) -> None:
    session = requests.Session()
    action, fields = provider_form(session, sso.url)
    posted = session.post(
        action, data={**fields, "action": "cancel"}, timeout=TIMEOUT, allow_redirects=False
    )
    callback = posted.headers["Location"]

    answer = session.get(callback, timeout=TIMEOUT, allow_redirects=False)

    _refused(Round(session, callback, answer), "The person cancelled the sign-in.")


def test_an_unreachable_provider_is_a_message_not_an_error(
    sso: Sandbox, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_OIDC_ISSUER = f"{sso.url}/sandbox/auth/nowhere.example/"
    session = requests.Session()

    start = session.get(f"{sso.url}/accounts/login/sso/", timeout=TIMEOUT)

    assert start.status_code == 200
    assert "could not be reached to load its settings" in start.text
    assert start.url == f"{sso.url}/accounts/login/"


def test_single_sign_on_routes_are_absent_when_it_is_off(
    client: object, settings: SettingsWrapper, db: None
) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    settings.TEAMSADMIN_OIDC_ISSUER = ""

    assert client.get("/accounts/login/sso/").status_code == 404
    assert client.get("/accounts/login/sso/callback/?state=x&code=y").status_code == 404
    assert "single sign-on" not in client.get("/accounts/login/").content.decode()
