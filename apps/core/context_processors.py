"""Template context shared by every page: the navigation the user may see and their role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from apps.core.capabilities import can, role_of
from apps.core.navigation import NAV_ITEMS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    current = request.path
    items = []
    for item in NAV_ITEMS:
        if item.capability is not None and not can(user, item.capability):
            continue
        url = reverse(item.url_name)
        active = current == url if url == "/" else current.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return {"nav_items": items, "user_role": role_of(user)}
