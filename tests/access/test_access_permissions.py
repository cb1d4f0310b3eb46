"""Who may use each tenant access route, by role and method: the declared table, checked.

Owners manage tenant access; helpdesk and auditors neither see the forms nor post them, but all
three read access history; anonymous users are sent to sign in. A new access route fails the
completeness test until it is declared.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.capabilities import Role
from tests.fixtures.directory import Directory
from tests.urlwalk import routes

ANONYMOUS = "anonymous"
PERSONAS = (ANONYMOUS, Role.AUDITOR.value, Role.HELPDESK.value, Role.OWNER.value)

# route name -> method -> expected status for (anonymous, auditor, helpdesk, owner).
# Owner's POST without a valid form token is answered with the form and its message (200).
TABLE: dict[str, dict[str, tuple[int, int, int, int]]] = {
    "access:grant": {"GET": (302, 403, 403, 200), "POST": (302, 403, 403, 200)},
    "access:change": {"GET": (302, 403, 403, 200), "POST": (302, 403, 403, 200)},
    "access:revoke": {"GET": (302, 403, 403, 200), "POST": (302, 403, 403, 200)},
    "access:result": {"GET": (302, 403, 403, 404), "POST": (302, 405, 405, 405)},
    "access:tenant-grant": {"GET": (302, 403, 403, 200), "POST": (302, 405, 405, 405)},
    "access:copy": {"GET": (302, 403, 403, 200), "POST": (302, 403, 403, 200)},
    # No end is set on this access: nothing to extend or make permanent.
    "access:end": {"GET": (302, 403, 403, 404), "POST": (302, 403, 403, 404)},
    "access:expiring": {"GET": (302, 200, 200, 200), "POST": (302, 405, 405, 405)},
    # Access history: read by every role.
    "access:as-of": {"GET": (302, 200, 200, 200), "POST": (302, 405, 405, 405)},
    "access:as-of-export": {"GET": (302, 200, 200, 200), "POST": (302, 405, 405, 405)},
    "access:changes": {"GET": (302, 200, 200, 200), "POST": (302, 405, 405, 405)},
    "access:changes-export": {"GET": (302, 200, 200, 200), "POST": (302, 405, 405, 405)},
}
HISTORY = {
    "access:as-of",
    "access:as-of-export",
    "access:changes",
    "access:changes-export",
    "access:expiring",
}


def _url(name: str, directory: Directory) -> str:
    if name in HISTORY:
        return reverse(name)
    if name == "access:tenant-grant":
        return reverse(name, args=[directory.prod.tenant_id])
    if name == "access:end":
        return reverse(name, args=[directory.bob.member_id, directory.prod.tenant_id])
    if name == "access:result":
        return reverse(name, args=[directory.bob.member_id, "expired"])
    return reverse(name, args=[directory.bob.member_id])


def test_every_access_route_is_in_the_table() -> None:
    walked = {route.name for route in routes(skip=()) if route.name.startswith("access:")}
    assert walked == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_route_answers_each_role_as_declared(
    name: str,
    method: str,
    directory: Directory,
    owner_client: Client,
    helpdesk_client: Client,
    auditor_client: Client,
) -> None:
    clients = {
        ANONYMOUS: Client(),
        Role.AUDITOR.value: auditor_client,
        Role.HELPDESK.value: helpdesk_client,
        Role.OWNER.value: owner_client,
    }
    url = _url(name, directory)
    got = tuple(
        (clients[persona].get if method == "GET" else clients[persona].post)(url).status_code
        for persona in PERSONAS
    )
    assert got == TABLE[name][method], f"{method} {url}: {dict(zip(PERSONAS, got, strict=True))}"
