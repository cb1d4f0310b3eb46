"""Fixtures for the sandbox conformance suite: bearer-bound API handles over the seeded team."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import Sandbox
from tests.sandbox.helpers import Api, mint


def token_url(sandbox: Sandbox) -> str:
    return sandbox.auth_base_url + "/oauth/token"


def owner_token(sandbox: Sandbox, scope: str | None = None) -> str:
    return mint(
        token_url(sandbox),
        sandbox.owner_client_id,
        sandbox.owner_client_secret,
        sandbox.audience,
        scope,
    )


def readonly_token(sandbox: Sandbox) -> str:
    return mint(
        token_url(sandbox),
        sandbox.readonly_client_id,
        sandbox.readonly_client_secret,
        sandbox.audience,
    )


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    """The seeded team's API with an owner token carrying all scopes."""
    return Api(sandbox.api_base_url, owner_token(sandbox))


@pytest.fixture
def readonly_api(sandbox: Sandbox) -> Api:
    return Api(sandbox.api_base_url, readonly_token(sandbox))
