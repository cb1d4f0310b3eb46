"""Views of the simulated Auth Tenant: token endpoint, JWKS and OpenID discovery."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.sandbox import auth, keys
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
        else auth.token_endpoint(request, auth_tenant)
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
        jwks_uri = request.build_absolute_uri(reverse("sandbox:jwks", args=[domain]))
        token_uri = request.build_absolute_uri(reverse("sandbox:token", args=[domain]))
        response = json_response(
            {
                "issuer": auth.issuer_for(domain),
                "jwks_uri": jwks_uri,
                "token_endpoint": token_uri,
                "grant_types_supported": ["client_credentials"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
            }
        )
    log_request(request, "", response.status_code)
    return response
