"""Views of the simulated Auth Tenant: token endpoint, JWKS, OpenID discovery, and sign-in."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.sandbox import auth, contract, keys, oidc, seeding
from apps.sandbox.dispatch import log_request
from apps.sandbox.errors import every_value, holds_nul, json_response
from apps.sandbox.models import SandboxAuthTenant


def _auth_tenant(domain: str) -> SandboxAuthTenant | None:
    if holds_nul(domain):
        return None  # no domain can hold one
    return SandboxAuthTenant.objects.filter(domain=domain).first()


def _unknown_domain(domain: str) -> HttpResponse:
    return json_response(
        {"error": "not_found", "error_description": f"Unknown domain: {domain}"}, 404
    )


@csrf_exempt
@login_not_required
@require_POST
def token(request: HttpRequest, domain: str) -> HttpResponse:
    if holds_nul(*every_value(request.POST)):
        # As Auth0 does with a malformed form; nothing of it is stored or logged.
        return json_response(
            {"error": "invalid_request", "error_description": "A field holds a NUL character."},
            400,
        )
    auth_tenant = _auth_tenant(domain)
    request.sandbox_client_id = ""  # type: ignore[attr-defined]
    response = (
        _unknown_domain(domain)
        if auth_tenant is None
        else auth.token_endpoint(
            request,
            auth_tenant,
            code_grant=functools.partial(
                oidc.code_exchange,
                issuer=oidc.issuer_url(request, domain),
                userinfo_url=oidc.endpoint_url(request, "userinfo", domain),
            ),
        )
    )
    log_request(request, request.sandbox_client_id, response.status_code)  # type: ignore[attr-defined]
    return response


@login_not_required
@require_GET
def jwks(request: HttpRequest, domain: str) -> HttpResponse:
    auth_tenant = _auth_tenant(domain)
    if auth_tenant is None:
        response = _unknown_domain(domain)
    else:
        response = json_response(
            {"keys": [keys.public_jwk(auth_tenant.kid, auth_tenant.private_key_pem)]}
        )
    log_request(request, "", response.status_code)
    return response


@login_not_required
@require_GET
def openid_configuration(request: HttpRequest, domain: str) -> HttpResponse:
    auth_tenant = _auth_tenant(domain)
    if auth_tenant is None:
        response = _unknown_domain(domain)
    else:
        response = json_response(
            {
                # Signing people in makes this an OIDC provider, whose issuer must be the URL
                # discovery was fetched under (OpenID Connect Discovery 4.3). Access tokens for
                # the Teams API keep the Auth Tenant's domain as their issuer (§2.4).
                "issuer": oidc.issuer_url(request, domain),
                "authorization_endpoint": oidc.endpoint_url(request, "authorize", domain),
                "token_endpoint": oidc.endpoint_url(request, "token", domain),
                "userinfo_endpoint": oidc.endpoint_url(request, "userinfo", domain),
                "jwks_uri": oidc.endpoint_url(request, "jwks", domain),
                "grant_types_supported": ["client_credentials", contract.OIDC_GRANT_TYPE],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": list(contract.OIDC_SCOPES),
                "subject_types_supported": ["public"],
                "claims_supported": [
                    "sub",
                    "email",
                    "email_verified",
                    "name",
                    "groups",
                    contract.OIDC_ROLES_CLAIM,
                ],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
            }
        )
    log_request(request, "", response.status_code)
    return response


def _params(request: HttpRequest) -> dict[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    return {name: data.get(name, "") for name in data if not holds_nul(data.get(name, ""))}


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest, domain: str) -> HttpResponse:
    """The Auth Tenant's sign-in page: checks the request, then the person's email and password."""
    auth_tenant = _auth_tenant(domain)
    params = _params(request)
    context: dict[str, object] = {"domain": domain, "demo_users": seeding.DEMO_SSO_USERS}
    if auth_tenant is None:
        return render(
            request, "sandbox/authorize.html", {**context, "fatal": "Unknown domain."}, status=404
        )
    try:
        asked = oidc.authorize_request(auth_tenant, params)
    except oidc.AuthorizeError as refusal:
        return render(
            request, "sandbox/authorize.html", {**context, "fatal": str(refusal)}, status=400
        )
    problem = oidc.protocol_error(params)
    if problem is not None:
        return HttpResponseRedirect(asked.error_redirect(*problem))
    context.update(client_name=asked.client.name, fields=asked.hidden_fields())
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            return HttpResponseRedirect(
                asked.error_redirect("access_denied", "The person cancelled the sign-in.")
            )
        user = oidc.user_sign_in(auth_tenant, params.get("email", ""), params.get("password", ""))
        if user is not None:
            return HttpResponseRedirect(oidc.code_issue(asked, user))
        context.update(error="Wrong email or password.", email=params.get("email", "")[:254])
        return render(request, "sandbox/authorize.html", context, status=401)
    return render(request, "sandbox/authorize.html", context)


@csrf_exempt
@login_not_required
@require_GET
def userinfo(request: HttpRequest, domain: str) -> HttpResponse:
    auth_tenant = _auth_tenant(domain)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if auth_tenant is None:
        response = _unknown_domain(domain)
    elif scheme != "Bearer" or not token.strip():
        response = json_response({"error": "invalid_token"}, 401)
    else:
        try:
            response = json_response(
                oidc.userinfo(
                    auth_tenant,
                    token.strip(),
                    issuer=oidc.issuer_url(request, domain),
                    userinfo_url=oidc.endpoint_url(request, "userinfo", domain),
                )
            )
        except oidc.UserinfoError:
            response = json_response({"error": "invalid_token"}, 401)
    log_request(request, "", response.status_code)
    return response
