"""Single sign-on over real HTTP: a browser-like session through the sandbox's sign-in form."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from apps.sandbox.seeding import DEMO_SSO_USERS, DemoSsoUser

TIMEOUT = 10
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def demo_person(email_start: str) -> DemoSsoUser:
    return next(p for p in DEMO_SSO_USERS if p.email.startswith(email_start))


@dataclass
class Round:
    """One sign-in: the browser session and the dashboard's answer at the callback."""

    session: requests.Session
    callback_url: str
    answer: requests.Response

    def page(self, path: str) -> requests.Response:
        base = urlsplit(self.callback_url)
        return self.session.get(
            f"{base.scheme}://{base.netloc}{path}", timeout=TIMEOUT, allow_redirects=False
        )


def provider_form(
    session: requests.Session, base_url: str, query: str = ""
) -> tuple[str, dict[str, str]]:
    """Start a sign-in at the dashboard and follow it to the provider's form: (action, fields)."""
    start = session.get(
        f"{base_url}/accounts/login/sso/{query}", timeout=TIMEOUT, allow_redirects=False
    )
    assert start.status_code == 302, start.text[:300]
    form = session.get(start.headers["Location"], timeout=TIMEOUT)
    assert form.status_code == 200, form.text[:300]
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(form.text)}
    return start.headers["Location"].split("?")[0], fields


def sign_in(base_url: str, email: str, password: str, *, query: str = "") -> Round:
    """Sign in through the provider's form; the answer is the dashboard's reply to the callback."""
    session = requests.Session()
    action, fields = provider_form(session, base_url, query)
    posted = session.post(
        action,
        data={**fields, "email": email, "password": password, "action": "sign-in"},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    assert posted.status_code == 302, posted.text[:300]
    callback_url = posted.headers["Location"]
    answer = session.get(callback_url, timeout=TIMEOUT, allow_redirects=False)
    return Round(session, callback_url, answer)
