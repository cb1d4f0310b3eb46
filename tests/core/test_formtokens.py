"""One-time form tokens: the first submission acts, a replay is sent to its result, forgeries refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.test import RequestFactory

from apps.core import formtokens
from apps.core.formtokens import FormTokenError

pytestmark = pytest.mark.django_db


class Invites:
    """A stand-in for an upstream write: counts how often the view really acted."""

    def __init__(self) -> None:
        self.sent = 0

    def view(self, request: HttpRequest) -> HttpResponse:
        try:
            replayed = formtokens.consume(
                request, request.POST.get(formtokens.FIELD_NAME), result_url="/members/"
            )
        except FormTokenError as error:
            return HttpResponse(error.message, status=400)
        if replayed is not None:
            return HttpResponseRedirect(replayed)
        self.sent += 1
        return HttpResponseRedirect("/members/")


def _post(user: User, token: str | None) -> HttpRequest:
    request = RequestFactory().post("/invite/", {"form_token": token} if token else {})
    request.user = user
    return request


def _token_for(user: User) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return formtokens.issue(request)


def test_first_submit_acts_and_a_replay_does_not(owner: User) -> None:
    invites, token = Invites(), _token_for(owner)
    first = invites.view(_post(owner, token))
    replay = invites.view(_post(owner, token))
    assert invites.sent == 1
    assert first.status_code == replay.status_code == 302
    assert replay["Location"] == "/members/"


def test_replay_goes_to_the_settled_result_of_the_first_submission(owner: User) -> None:
    token = _token_for(owner)
    assert formtokens.consume(_post(owner, token), token, result_url="/a/") is None
    formtokens.settle(_post(owner, token), token, result_url="/tenants/t-1/")
    assert formtokens.consume(_post(owner, token), token, result_url="/a/") == "/tenants/t-1/"


def test_released_token_may_be_submitted_again(owner: User) -> None:
    token = _token_for(owner)
    assert formtokens.consume(_post(owner, token), token, result_url="/a/") is None
    formtokens.release(_post(owner, token), token)
    assert formtokens.consume(_post(owner, token), token, result_url="/a/") is None


@pytest.mark.parametrize("token", [None, "", "made-up", "abc:def:ghi"])
def test_missing_or_forged_tokens_are_refused_with_a_clear_message(
    owner: User, token: str | None
) -> None:
    invites = Invites()
    response = invites.view(_post(owner, token))
    assert (response.status_code, invites.sent) == (400, 0)
    assert b"Reload the page and submit it again." in response.content


def test_another_users_token_is_refused(owner: User, helpdesk: User) -> None:
    invites = Invites()
    response = invites.view(_post(helpdesk, _token_for(owner)))
    assert (response.status_code, invites.sent) == (400, 0)


def test_the_include_renders_a_fresh_hidden_token(owner: User) -> None:
    request = RequestFactory().get("/")
    request.user = owner
    template = engines["django"].from_string('{% include "_form_token.html" %}')
    first, second = template.render({}, request), template.render({}, request)
    assert first.startswith('<input type="hidden" name="form_token" value="')
    assert first != second
    token = first.split('value="')[1].split('"')[0]
    assert formtokens.consume(_post(owner, token), token, result_url="/") is None
