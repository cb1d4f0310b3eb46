"""The main navigation: one entry per product area, shown only to roles that may use it."""

from __future__ import annotations

from dataclasses import dataclass

from apps.core.capabilities import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: Capability | None  # None: every signed-in user


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Overview", "core:home", None),
    NavItem("Tenants", "tenants:list", Capability.VIEW_TENANTS),
    NavItem("Members", "members:list", Capability.VIEW_MEMBERS),
    NavItem("People", "people:search", Capability.VIEW_MEMBERS),
    NavItem("Access history", "access:as-of", Capability.VIEW_ACCESS_HISTORY),
    NavItem("Activity", "activity:list", Capability.VIEW_ACTIVITY),
    NavItem("Dashboard actions", "audit:list", Capability.VIEW_AUDIT),
    NavItem("Access reviews", "reviews:list", Capability.REVIEW_ACCESS),
    NavItem("Sync status", "sync:status", Capability.VIEW_SYNC_STATUS),
    NavItem("Auth Tenants", "authtenants:list", Capability.VIEW_AUTH_TENANTS),
)
