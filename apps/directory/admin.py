"""The directory mirror in Django's admin: read-only lists for operators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.directory.models import DirectoryMember, DirectoryTenant


class _ReadOnly(admin.ModelAdmin[Any]):
    """The mirror is written by directory syncs and dashboard actions only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DirectoryMember)
class DirectoryMemberAdmin(_ReadOnly):
    list_display = ("email", "name", "role", "member_id", "auth_tenant", "removed_at")
    list_filter = ("role",)
    search_fields = ("email", "name", "nickname", "member_id")


@admin.register(DirectoryTenant)
class DirectoryTenantAdmin(_ReadOnly):
    list_display = ("tenant_name", "domain", "environment", "environment_tag", "locality")
    list_filter = ("environment_tag",)
    search_fields = ("tenant_name", "domain")
