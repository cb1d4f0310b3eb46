"""The overview page: who you are, what your role lets you do, and where the data comes from."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.core.capabilities import ROLE_CAPABILITIES, Capability, role_of


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    allowed = ROLE_CAPABILITIES.get(role, frozenset()) if role else frozenset()
    return render(
        request,
        "core/home.html",
        {
            "role": role,
            "capabilities": [c.value for c in Capability if c in allowed],
            "sandbox_enabled": settings.TEAMSADMIN_SANDBOX,
        },
    )
