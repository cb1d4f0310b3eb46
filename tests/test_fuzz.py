"""No input makes a route fail: hostile query strings, form fields, JSON bodies and path ids.

The URLconf walk (tests/urlwalk.py) is checked against INPUTS, which declares what each route
reads: its query parameters and form fields (taken from the forms the views use) or the keys of
its JSON body. A new route fails `test_every_route_declares_its_inputs` until it is declared.
Signed in as an owner (who may open every page), each route and method then gets:

- the sweep: one sample of each kind of trouble (NUL, lone surrogate percent-encoded as a
  browser sends it, 10,000 characters, huge and negative numbers, digits int() refuses, far
  dates, header tricks) in each input alone, and repeated parameters, so no single bad value
  goes unseen;
- the property (hypothesis): mixes of valid and hostile values in every input at once.

Every POST form is also posted as each role (owner, helpdesk, auditor) and signed out, with
unicode edge cases (lone surrogates, right-to-left marks, combining characters, NFKC lookalikes)
and values of the wrong type (numbers, JSON, list-style names, a JSON body): a role allowed to
post sees a rejection as an error in the page, a role refused gets the 403 page.

Each answer must be below 500 and nothing may log an error. Each request runs in a savepoint
that is rolled back, so a POST that creates or deletes leaves the data as it was.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from http.cookies import Morsel
from typing import Any, cast

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.access.forms import AccessChangeForm, AccessGrantForm, AccessRevokeForm, ExpiryForm
from apps.access.history_forms import AsOfForm, ChangesForm
from apps.activity.forms import ActivityFilterForm
from apps.audit.forms import AuditFilterForm
from apps.authtenants.current import QUERY_PARAM
from apps.authtenants.forms import AuthClientForm, AuthTenantForm
from apps.core.exports import ExportFormatForm
from apps.directory.models import Invitation
from apps.members.forms import (
    BulkInviteSendForm,
    BulkInviteUploadForm,
    InvitationFilterForm,
    InvitationWithdrawForm,
    MemberFilterForm,
    MemberInviteForm,
    MemberRoleForm,
)
from apps.members.models import BulkInvite, BulkInviteRow
from apps.people.forms import OffboardForm, PersonSearchForm
from apps.reviews import services as review_services
from apps.reviews.forms import DecideForm, QueueForm, ReviewCreateForm, ReviewersForm
from apps.sandbox import control, faults
from apps.sandbox.views_control import RequestLogFilterForm
from apps.tenants.forms import TenantCreateForm, TenantDeleteForm, TenantFilterForm
from tests.canary import canary
from tests.factories import AuthClientFactory
from tests.fixtures.directory import Directory
from tests.test_permissions import AUDITOR, HELPDESK, OWNER, TABLE
from tests.urlwalk import ARGUMENT, SIMULATOR_PREFIXES, Route, quote_any, routes

EXAMPLES = 25
ROLE_EXAMPLES = 8  # per POST form, each drawing its role

# --- hostile values -----------------------------------------------------------------------------

# Each value is drawn from one class of trouble first, so every class reaches every field often.
TROUBLE: dict[str, st.SearchStrategy[str]] = {
    "NUL": st.text(max_size=8).map(lambda text: f"{text}\x00{text}"),
    "lone surrogate": st.integers(0xD800, 0xDFFF).map(lambda code: f"x{chr(code)}y"),
    "10,000 characters": st.sampled_from(["x" * 10_000, "9" * 10_000, "é" * 10_000]),
    "huge or negative number": st.one_of(
        st.integers().map(str),
        st.sampled_from([str(2**31), str(2**63), str(-(2**63) - 1), "-1", "0", "1e400", "NaN"]),
    ),
    "digits int() refuses": st.sampled_from(["²", "١٢", "৩", "𝟙𝟚", "Ⅻ", "½"]),
    "far date": st.one_of(
        st.sampled_from(["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30"]),
        st.dates().map(date.isoformat),
    ),
    "header or URL trick": st.sampled_from(
        ["/next\r\nX-Injected: 1", "\r\nX-Injected: 1", "//evil.example/", "%00", " "]
    ),
    "any text": st.text(max_size=40),
}
hostile_text = st.one_of(*TROUBLE.values())

# One of each kind, for the sweep that tries every input with each.
SAMPLES = (
    "a\x00b",
    "x\ud800y",
    "x" * 10_000,
    "9" * 10_000,
    str(2**63),
    "-" + "9" * 30,
    "-1",
    "1e400",
    "²",
    "١٢",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "\r\nX-Injected: 1",
    "/next\r\nX-Injected: 1",
    "//evil.example/",
)
NUMBERS_NO_ROW_HAS = ("0", str(2**63), "9" * 5000)  # for <int:...> path arguments
JSON_SAMPLES: tuple[Any, ...] = (
    *SAMPLES,
    2**31,
    -(2**31) - 1,
    2**63,
    10**400,
    1e308,
    float("inf"),
    float("nan"),
    -1,
    0,
    None,
    True,
    [],
    {},
    ["a\x00b"],
    {"a": "\ud800"},
)
JSON_BODIES = (b"", b"{}", b"[]", b"null", b"\xff\xfe", b"{", b"[" * 100_000, b'{"a": 1e400}')


def _valid(field: forms.Field) -> st.SearchStrategy[str]:
    """Values the field accepts (often), so examples also get past validation to the query."""
    if isinstance(field, forms.DateField):
        return st.one_of(st.sampled_from([date.min, date.max]), st.dates()).map(date.isoformat)
    choices = cast("Iterable[tuple[Any, Any]]", getattr(field, "choices", None) or ())
    if values := [str(value) for value, _ in choices]:
        return st.sampled_from(values)
    if isinstance(field, forms.IntegerField):
        return st.integers().map(str)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    return st.text(max_size=40)


@dataclass(frozen=True)
class Param:
    name: str
    values: st.SearchStrategy[str] = hostile_text


def fields(form: type[forms.Form] | type[forms.ModelForm[Any]]) -> tuple[Param, ...]:
    """The form's fields, each getting values it accepts as well as hostile ones."""
    return tuple(
        Param(name, st.one_of(_valid(field), hostile_text))
        for name, field in form.base_fields.items()
    )


def named(*names: str) -> tuple[Param, ...]:
    """Parameters a view reads itself, hostile values only."""
    return tuple(Param(name) for name in names)


@dataclass(frozen=True)
class Inputs:
    """What a route reads besides its path: query parameters, and a form or JSON body.

    `form` None: the route takes no form worth posting (GET only, or a POST without fields
    that reaches another server); `json` None: no JSON body.
    """

    query: tuple[Param, ...] = ()
    form: tuple[Param, ...] | None = None
    json: tuple[str, ...] | None = None
    json_methods: tuple[str, ...] = ("POST",)
    json_base: tuple[tuple[str, Any], ...] = ()  # keys every JSON object body starts from
    anonymous: bool = False


PAGE = named("page")
FORM_TOKEN = named("form_token")
TEAMS_API_PAGING = named("take", "from")

ACCESS_FORM = named("form_token")

OIDC_AUTHORIZE = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)

INPUTS: dict[str, Inputs] = {
    # Tenant access: ?tenant= preselects (repeatable); the forms' fields and their one-time token.
    "access:change": Inputs(query=named("tenant"), form=(*fields(AccessChangeForm), *ACCESS_FORM)),
    "access:grant": Inputs(query=named("tenant"), form=(*fields(AccessGrantForm), *ACCESS_FORM)),
    "access:result": Inputs(),
    "access:revoke": Inputs(query=named("tenant"), form=(*fields(AccessRevokeForm), *ACCESS_FORM)),
    "access:tenant-grant": Inputs(query=named("q")),
    # Copy access: the colleague search, the colleague previewed, then applied with a token.
    "access:copy": Inputs(query=named("q", "colleague"), form=(*named("colleague"), *ACCESS_FORM)),
    "access:end": Inputs(form=(*fields(ExpiryForm), *named("permanent"), *ACCESS_FORM)),
    "access:expiring": Inputs(),
    "access:as-of": Inputs(query=(*fields(AsOfForm), *PAGE)),
    "access:as-of-export": Inputs(query=fields(AsOfForm)),
    "access:changes": Inputs(query=(*fields(ChangesForm), *PAGE)),
    "access:changes-export": Inputs(query=fields(ChangesForm)),
    "accounts:login": Inputs(
        query=named("next"), form=(*fields(AuthenticationForm), *named("next")), anonymous=True
    ),
    "accounts:logout": Inputs(form=named("next")),
    "activity:export": Inputs(
        query=named("auth_tenant"), form=(*fields(ActivityFilterForm), *fields(ExportFormatForm))
    ),
    "activity:chart": Inputs(query=fields(ActivityFilterForm)),
    "activity:list": Inputs(query=(*fields(ActivityFilterForm), *named("before", "after"))),
    "activity:detail": Inputs(),
    "audit:export": Inputs(
        query=named("auth_tenant"), form=(*fields(AuditFilterForm), *fields(ExportFormatForm))
    ),
    "activity:verify": Inputs(form=()),
    "audit:list": Inputs(query=fields(AuditFilterForm)),
    "audit:detail": Inputs(),
    "authtenants:client-add": Inputs(form=fields(AuthClientForm)),
    "authtenants:client-edit": Inputs(form=fields(AuthClientForm)),
    "authtenants:client-remove": Inputs(form=named("next")),
    "authtenants:create": Inputs(form=fields(AuthTenantForm)),
    "authtenants:delete": Inputs(form=named("next")),
    "authtenants:edit": Inputs(form=fields(AuthTenantForm)),
    "authtenants:list": Inputs(),
    # Its POST has no fields and calls the Auth Tenant's token endpoint: GET only here.
    "authtenants:test": Inputs(),
    "core:home": Inputs(),
    "/favicon.ico": Inputs(anonymous=True),
    "core:healthz": Inputs(anonymous=True),
    # Off (404) in tests: TEAMSADMIN_METRICS_TOKEN is unset.
    "core:metrics": Inputs(anonymous=True),
    "members:detail": Inputs(),
    # The file field is posted as a plain field here; tests/members/test_bulk_upload.py sends
    # hostile files as multipart uploads.
    "members:bulk": Inputs(form=(*fields(BulkInviteUploadForm), *FORM_TOKEN)),
    "members:bulk-detail": Inputs(query=PAGE),
    "members:bulk-results": Inputs(),
    "members:bulk-send": Inputs(form=(*fields(BulkInviteSendForm), *FORM_TOKEN)),
    "members:invitations": Inputs(query=(*fields(InvitationFilterForm), *PAGE)),
    "members:invitation-resend": Inputs(form=FORM_TOKEN),
    "members:invitation-withdraw": Inputs(form=(*fields(InvitationWithdrawForm), *FORM_TOKEN)),
    "members:invite": Inputs(form=(*fields(MemberInviteForm), *FORM_TOKEN)),
    "members:list": Inputs(query=(*fields(MemberFilterForm), *PAGE)),
    "members:remove": Inputs(form=FORM_TOKEN),
    "members:role-change": Inputs(form=(*fields(MemberRoleForm), *FORM_TOKEN)),
    "reviews:list": Inputs(query=PAGE),
    "reviews:create": Inputs(
        form=(*fields(ReviewCreateForm), *named("reviewer_0", "reviewer_1"), *FORM_TOKEN)
    ),
    "reviews:queue": Inputs(query=(*fields(QueueForm), *PAGE)),
    "reviews:decide": Inputs(query=fields(QueueForm), form=(*fields(DecideForm), *FORM_TOKEN)),
    "reviews:close": Inputs(form=FORM_TOKEN),
    "reviews:apply": Inputs(form=FORM_TOKEN),
    "reviews:stop": Inputs(form=FORM_TOKEN),
    "reviews:reviewers": Inputs(
        form=(*fields(ReviewersForm), *named("reviewer_0", "reviewer_1"), *FORM_TOKEN)
    ),
    "reviews:report": Inputs(),
    "reviews:report-export": Inputs(form=fields(ExportFormatForm)),
    "people:job": Inputs(),
    "people:offboard": Inputs(query=named("email"), form=(*fields(OffboardForm), *FORM_TOKEN)),
    "people:search": Inputs(query=fields(PersonSearchForm)),
    "people:step-retry": Inputs(form=FORM_TOKEN),
    "sync:status": Inputs(),
    "sync:sync-now": Inputs(form=()),
    "tenants:create": Inputs(form=(*fields(TenantCreateForm), *named("form_token"))),
    "tenants:delete": Inputs(form=(*fields(TenantDeleteForm), *named("form_token"))),
    "tenants:detail": Inputs(),
    "tenants:list": Inputs(query=(*fields(TenantFilterForm), *PAGE)),
    # Sandbox controls: JSON bodies.
    "sandbox:control-accept-invitation": Inputs(json=("email",)),
    "sandbox:control-add-activity": Inputs(json=("count", "created_at")),
    "sandbox:control-clients": Inputs(
        json=("auth_domain", "client_id", "client_secret", "scopes", "name", "token_lifetime")
    ),
    "sandbox:control-faults": Inputs(json=faults.SWITCHES, json_methods=("PUT",)),
    "sandbox:control-requests": Inputs(query=fields(RequestLogFilterForm)),
    "sandbox:control-reset": Inputs(json=()),
    "sandbox:control-seed": Inputs(
        json=("team_slug", "auth_domain", "tenants", "members", "activity", "seed"),
        # A seed that is valid stays small (the defaults would write 5,000 entries each time).
        json_base=(("tenants", 1), ("members", 1), ("activity", 1)),
    ),
    # The simulated Teams API and Auth Tenant: cheap probes without credentials (401 first).
    "sandbox:activity": Inputs(
        query=(*TEAMS_API_PAGING, *named("since", "until", "type", "status"))
    ),
    "sandbox:environments": Inputs(),
    "sandbox:jwks": Inputs(),
    "sandbox:member": Inputs(),
    "sandbox:member-tenants": Inputs(),
    "sandbox:member-tenants-environment": Inputs(),
    "sandbox:members": Inputs(query=TEAMS_API_PAGING),
    "sandbox:openid-configuration": Inputs(),
    "sandbox:tenant": Inputs(),
    "sandbox:tenant-members": Inputs(query=TEAMS_API_PAGING),
    "sandbox:tenants": Inputs(
        query=(*TEAMS_API_PAGING, *named("sort", "environment", "environment_tag", "locality"))
    ),
    "sandbox:token": Inputs(),
    # Single sign-on: the dashboard's round trip, and the sandbox's sign-in page and userinfo.
    "accounts:sso": Inputs(query=named("next"), anonymous=True),
    "accounts:sso-callback": Inputs(
        query=named("state", "code", "error", "error_description"), anonymous=True
    ),
    "sandbox:authorize": Inputs(
        query=named(*OIDC_AUTHORIZE),
        form=named(*OIDC_AUTHORIZE, "email", "password", "action"),
        anonymous=True,  # the provider's own sign-in page: open to anyone
    ),
    "sandbox:userinfo": Inputs(),
}

# /readyz reads no input and answers 503 by design while a service is down (its own tests
# point it at closed ports); fuzzing it would only test the machine's services.
ROUTES = routes(skip=("admin/", "static/", "readyz"))


def _occurrences(param: Param) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(param.values, max_size=2).map(
        lambda values: [(param.name, value) for value in values]
    )


def _pairs(params: tuple[Param, ...]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Parameters as a browser could send them: each known one absent, once or repeated, and
    stray names."""
    known = [_occurrences(param) for param in params]
    stray = st.lists(st.tuples(hostile_text, hostile_text), max_size=2)
    return st.tuples(*known, stray).map(lambda groups: [pair for group in groups for pair in group])


def _encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote_any(name)}={quote_any(value)}" for name, value in pairs)


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**31, -(2**31) - 1, 2**63, 10**400]),
    st.floats(),
    hostile_text,
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=6,
)


def _json_bodies(inputs: Inputs) -> st.SearchStrategy[bytes]:
    keys = inputs.json or ()
    key = st.sampled_from(keys) | hostile_text if keys else hostile_text
    objects = st.dictionaries(key, json_value, max_size=len(keys) + 1).map(
        lambda drawn: {**dict(inputs.json_base), **drawn}
    )
    as_json = st.one_of(objects, json_value).map(lambda value: json.dumps(value).encode())
    return st.one_of(as_json, st.binary(max_size=64))


# --- the world the routes see --------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    client: Client
    owner: User
    ids: dict[str, str]  # values for the routes' int and slug arguments


SANDBOX_TEAM, SANDBOX_DOMAIN = "acme", "acme.us.auth0.com"


@pytest.fixture
def world(owner: User, directory: Directory, settings: SettingsWrapper) -> World:
    # The Auth Tenant's host does not resolve here: its calls fail at once, without retries
    # (each retry's back-off made the tenant form's sweep take minutes).
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    auth_client = AuthClientFactory.create(auth_tenant=directory.auth_tenant)
    bulk_invite = BulkInvite.objects.create(auth_tenant=directory.auth_tenant, source="list.csv")
    BulkInviteRow.objects.create(job=bulk_invite, line=2, email="new@acme.test", state="ready")
    client = Client(raise_request_exception=True)
    client.force_login(owner)
    review = review_services.plan_create(
        actor=owner,
        auth_tenant=directory.auth_tenant,
        plan=review_services.PlanRequest(name="Fuzzed review", scope_kind="all"),
    )
    ids = {
        "pk": str(directory.auth_tenant.pk),
        "client_pk": str(auth_client.pk),
        "campaign_pk": str(review.pk),
        "job_id": str(bulk_invite.pk),
        "invitation_pk": str(
            Invitation.objects.create(
                auth_tenant=directory.auth_tenant, email="fuzz@acme.test", team_role="teams_owner"
            ).pk
        ),
        "team_slug": SANDBOX_TEAM,
        # The simulated Auth Tenant's endpoints are probed at its seeded domain.
        "domain": SANDBOX_DOMAIN,
    }
    return World(client=client, owner=owner, ids=ids)


@pytest.fixture
def sandbox_team(db: None) -> None:
    """A small seeded sandbox team, so control calls reach past "unknown team"."""
    control.seed(
        team_slug=SANDBOX_TEAM, auth_domain=SANDBOX_DOMAIN, tenants=2, members=3, activity=5
    )


@dataclass(frozen=True)
class Probe:
    """One request: text for the free path arguments, parameters, a JSON body, htmx or not."""

    free: tuple[str, ...] = ()
    ids: tuple[tuple[str, str], ...] = ()  # numbers in place of the world's ids
    pairs: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    htmx: bool = False


def _path(route: Route, world: World, probe: Probe) -> str:
    """The route's path: the world's ids (or the probe's own), the drawn text for the others."""
    texts, ids = iter(probe.free), {**world.ids, **dict(probe.ids)}

    def fill(match: Any) -> str:
        name = match.group(2)
        return ids[name] if name in ids else quote_any(next(texts))

    return ARGUMENT.sub(fill, route.pattern)


def _free_arguments(route: Route, world: World) -> int:
    return sum(1 for match in ARGUMENT.finditer(route.pattern) if match.group(2) not in world.ids)


@dataclass(frozen=True)
class Case:
    route: Route
    method: str  # GET, POST (form) or a JSON method

    @property
    def id(self) -> str:
        return f"{self.route.name}-{self.method}"


def _cases() -> Iterator[Case]:
    for route in ROUTES:
        inputs = INPUTS.get(route.name)
        if inputs is None:
            continue
        yield Case(route, "GET")
        if inputs.form is not None:
            yield Case(route, "POST")
        if inputs.json is not None:
            yield from (Case(route, f"{method} json") for method in inputs.json_methods)


CASES = list(_cases())


def test_every_route_declares_its_inputs() -> None:
    walked = {route.name for route in ROUTES}
    assert walked - set(INPUTS) == set(), "declare these routes' inputs in INPUTS"
    assert set(INPUTS) - walked == set(), "these INPUTS name no route"


def _send(world: World, case: Case, probe: Probe) -> int:
    inputs = INPUTS[case.route.name]
    client = Client() if inputs.anonymous else world.client
    if (
        not inputs.anonymous
        and not client.cookies.get(settings.SESSION_COOKIE_NAME, Morsel()).value
    ):
        client.force_login(world.owner)  # after a logout: sign in again
    path = _path(case.route, world, probe)
    headers = {"HX-Request": "true"} if probe.htmx else {}
    encoded = _encode(list(probe.pairs))
    if case.method == "GET":
        return client.get(f"{path}?{encoded}", headers=headers).status_code
    if case.method == "POST":
        form = "application/x-www-form-urlencoded"
        return client.generic("POST", path, encoded.encode(), form, headers=headers).status_code
    return client.generic(case.method.split()[0], path, probe.body, "application/json").status_code


def _check(world: World, case: Case, probe: Probe, caplog: pytest.LogCaptureFixture) -> None:
    """Send the probe in a savepoint rolled back afterwards; no 5xx, no error logged."""
    caplog.clear()
    try:
        with transaction.atomic(), canary.rolled_back():
            status = _send(world, case, probe)
            transaction.set_rollback(True)
    except Exception as exc:
        raise AssertionError(f"{case.id} raised {exc!r} for {probe!r}"[:2000]) from exc
    canary.check()  # the probe's leaks fail it
    assert status < 500, f"{case.id} answered {status} for {probe!r}"[:2000]
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == [], f"{case.id} logged {errors} for {probe!r}"[:2000]


def _prepare(request: pytest.FixtureRequest, case: Case) -> Inputs:
    if case.route.name.startswith("sandbox:"):
        request.getfixturevalue("sandbox_team")
    return INPUTS[case.route.name]


def _params(inputs: Inputs, case: Case) -> tuple[Param, ...]:
    if case.method == "GET":
        return (*inputs.query, *named(QUERY_PARAM))  # every page honours the team switch
    return inputs.form or () if case.method == "POST" else ()


def _single_probes(case: Case, inputs: Inputs, free_arguments: int) -> Iterator[Probe]:
    """Each sample in each path argument, each parameter and each JSON key, one at a time."""
    plain = ("x",) * free_arguments
    for position in range(free_arguments):
        for sample in SAMPLES:
            yield Probe(free=(*plain[:position], sample, *plain[position + 1 :]))
    for match in ARGUMENT.finditer(case.route.pattern):
        if match.group(1) == "int":
            for number in NUMBERS_NO_ROW_HAS:
                yield Probe(free=plain, ids=((match.group(2), number),))
    for param in _params(inputs, case):
        for sample in SAMPLES:
            yield Probe(free=plain, pairs=((param.name, sample),))
        yield Probe(free=plain, pairs=((param.name, "1"), (param.name, "2")))
    if case.method.endswith("json"):
        for body in JSON_BODIES:
            yield Probe(free=plain, body=body)
        for key in inputs.json or ():
            for value in JSON_SAMPLES:
                data = {**dict(inputs.json_base), key: value}
                yield Probe(free=plain, body=json.dumps(data).encode())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_input_survives_each_kind_of_trouble(
    request: pytest.FixtureRequest, world: World, caplog: pytest.LogCaptureFixture, case: Case
) -> None:
    """The sweep: every sample in every input alone, so no single bad value goes unseen."""
    inputs = _prepare(request, case)
    for probe in _single_probes(case, inputs, _free_arguments(case.route, world)):
        _check(world, case, probe, caplog)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_mix_of_inputs_fails_a_route(
    request: pytest.FixtureRequest,
    world: World,
    caplog: pytest.LogCaptureFixture,
    case: Case,
    data: st.DataObject,
) -> None:
    """The property: arbitrary mixes of valid and hostile values in every input at once."""
    inputs = _prepare(request, case)
    free_arguments = _free_arguments(case.route, world)
    probe = Probe(
        free=tuple(
            data.draw(st.lists(hostile_text, min_size=free_arguments, max_size=free_arguments))
        ),
        pairs=tuple(data.draw(_pairs(_params(inputs, case)))),
        body=data.draw(_json_bodies(inputs)) if case.method.endswith("json") else b"",
        htmx=data.draw(st.booleans()),
    )
    _check(world, case, probe, caplog)


# --- every POST form, as every role and signed out ---------------------------------------------
#
# Each form route is posted as owner, helpdesk, auditor and an anonymous visitor, with unicode
# edge cases and values of the wrong type. A role the permission table (tests/test_permissions.py)
# lets post gets either a success or its rejection shown in the page as a form or field error; a
# role it refuses gets the 403 page; a visitor is sent to sign in.

ANONYMOUS = "anonymous"
ROLES = (OWNER, HELPDESK, AUDITOR, ANONYMOUS)

UNICODE_EDGES = (
    "x\udfffy",  # a lone low surrogate
    "\u202egnp.exe\u200f",  # right-to-left override and mark
    "e" + "\u0301" * 300,  # one letter under 300 combining accents
    "ａｄｍｉｎ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # fullwidth forms NFKC folds to ASCII
    "ﬁle\u2126\u212a",  # ligature, Ohm and Kelvin signs (NFKC lookalikes)
    "аdmin@exаmple.com",  # Cyrillic а in place of Latin a
    "\ufeff\u200b\u200d\u2060",  # BOM, zero-width space, joiner, word joiner
    "İıßﬀ",  # letters whose case mapping changes their length
    "👩\u200d👩\u200d👧\U0010ffff\ufffe",  # an emoji sequence and noncharacters
    "\x00\x01\x1f\x7f",  # NUL and control characters
)
WRONG_TYPES = (
    "12345",  # a number for a string
    "-0.0e-0",
    "true",
    '{"a": [1, 2]}',  # JSON where a scalar is expected
    "[]",
)
UNICODE_TROUBLE = st.one_of(st.sampled_from(UNICODE_EDGES), hostile_text)
# The dashboard's forms. The simulated provider's sign-in page (under /sandbox/auth/) is no
# dashboard form: the sweep above still posts everything to it.
POST_FORMS = [
    case
    for case in CASES
    if case.method == "POST" and not case.route.pattern.startswith(SIMULATOR_PREFIXES)
]
ERROR_IN_PAGE = re.compile(rb'role="alert"|class="errorlist|class="message message-error')
ERROR_PAGE = b'class="card error-page"'  # the 403 and 404 pages


def _served(route: str, role: str) -> bool:
    if INPUTS[route].anonymous:
        return True
    return role in TABLE[route].get("POST", frozenset())


@pytest.fixture
def role_clients(world: World, helpdesk: User, auditor: User) -> dict[str, Client]:
    clients = {OWNER: world.client, ANONYMOUS: Client(raise_request_exception=True)}
    for role, user in ((HELPDESK, helpdesk), (AUDITOR, auditor)):
        clients[role] = Client(raise_request_exception=True)
        clients[role].force_login(user)
    return clients


@dataclass(frozen=True)
class FormPost:
    """One POST: a role, form pairs (with list-style names) or a raw body of some content type."""

    role: str
    pairs: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str = "application/x-www-form-urlencoded"
    htmx: bool = False


def _post_as(
    clients: dict[str, Client], users: dict[str, User], route: Route, world: World, post: FormPost
) -> HttpResponse:
    client = clients[post.role]
    if (
        post.role != ANONYMOUS
        and not client.cookies.get(settings.SESSION_COOKIE_NAME, Morsel()).value
    ):
        client.force_login(users[post.role])  # after a logout: sign in again
    path = _path(route, world, Probe(free=("x",) * _free_arguments(route, world)))
    body = _encode(list(post.pairs)).encode() if post.body is None else post.body
    headers = {"HX-Request": "true"} if post.htmx else {}
    return cast(
        "HttpResponse", client.generic("POST", path, body, post.content_type, headers=headers)
    )


def _form_errors(response: HttpResponse) -> bool:
    """Whether the page was rendered from a form that did not validate."""
    contexts = getattr(response, "context", None) or []
    forms_seen = [
        value
        for context in (contexts if isinstance(contexts, list) else [contexts])
        for value in context.flatten().values()
        if isinstance(value, forms.BaseForm)
    ]
    return any(form.is_bound and form.errors for form in forms_seen)


def _check_post(
    clients: dict[str, Client],
    users: dict[str, User],
    world: World,
    case: Case,
    post: FormPost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No 5xx and no error logged; refusals are 403 pages, rejections are shown in the page."""
    caplog.clear()
    try:
        with transaction.atomic(), canary.rolled_back():
            response = _post_as(clients, users, case.route, world, post)
            transaction.set_rollback(True)
    except Exception as exc:
        raise AssertionError(f"{case.id} raised {exc!r} for {post!r}"[:2000]) from exc
    canary.check()
    where = f"{case.id} as {post.role} answered {response.status_code} for {post!r}"[:2000]
    # An export the fuzzer happened to fill in validly streams its file.
    streamed: Any = response  # its test client type says HttpResponse
    body = b"".join(streamed.streaming_content) if response.streaming else response.content
    status, content = response.status_code, body
    assert status < 500, where
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == [], f"{where}; logged {errors}"
    if post.role == ANONYMOUS and not INPUTS[case.route.name].anonymous:
        assert status == 302, where
        assert response["Location"].startswith("/accounts/login/"), where
    elif not _served(case.route.name, post.role):
        assert status == 403, where
        assert ERROR_PAGE in content, f"{where}: a bare 403"
    elif status == 404:  # the path names no row ("x" for a member or tenant id)
        assert _free_arguments(case.route, world), where
        assert ERROR_PAGE in content, f"{where}: a bare 404"
    else:
        assert status not in (403, 405), where
        if status >= 400 or _form_errors(response):
            assert ERROR_IN_PAGE.search(content), f"{where}: rejected without an error in the page"


def _field_names(case: Case) -> list[str]:
    return [param.name for param in INPUTS[case.route.name].form or ()]


def _role_posts(case: Case) -> Iterator[FormPost]:
    """Each role: every edge case and wrong type in all fields at once, list-style names and a
    JSON body; roles that may post also get each edge case in each field alone."""
    names = _field_names(case)
    for role in ROLES:
        for value in (*UNICODE_EDGES, *WRONG_TYPES):
            yield FormPost(role, tuple((name, value) for name in names))
        yield FormPost(role, tuple((f"{name}[]", "a") for name in names))
        as_json = json.dumps({name: ["a", 1, None, {"b": 2}] for name in names}).encode()
        yield FormPost(role, body=as_json, content_type="application/json")
        yield FormPost(role, body=as_json, htmx=True)  # JSON under a form content type
        if _served(case.route.name, role) and role != ANONYMOUS:
            for name in names:
                for value in UNICODE_EDGES:
                    yield FormPost(role, ((name, value),), htmx=True)


@pytest.mark.parametrize("case", POST_FORMS, ids=lambda case: case.id)
def test_each_role_posts_each_form_with_unicode_edges_and_wrong_types(
    world: World,
    role_clients: dict[str, Client],
    helpdesk: User,
    auditor: User,
    caplog: pytest.LogCaptureFixture,
    case: Case,
) -> None:
    users = {OWNER: world.owner, HELPDESK: helpdesk, AUDITOR: auditor}
    for post in _role_posts(case):
        _check_post(role_clients, users, world, case, post, caplog)


@pytest.mark.parametrize("case", POST_FORMS, ids=lambda case: case.id)
@hypothesis_settings(
    max_examples=ROLE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_mix_of_inputs_fails_a_form_for_any_role(
    world: World,
    role_clients: dict[str, Client],
    helpdesk: User,
    auditor: User,
    caplog: pytest.LogCaptureFixture,
    case: Case,
    data: st.DataObject,
) -> None:
    """The property: any role, valid values mixed with hostile and unicode ones in every field."""
    users = {OWNER: world.owner, HELPDESK: helpdesk, AUDITOR: auditor}
    params = [
        Param(param.name, st.one_of(param.values, UNICODE_TROUBLE))
        for param in INPUTS[case.route.name].form or ()
    ]
    post = FormPost(
        role=data.draw(st.sampled_from(ROLES)),
        pairs=tuple(data.draw(_pairs(tuple(params)))),
        htmx=data.draw(st.booleans()),
    )
    _check_post(role_clients, users, world, case, post, caplog)
