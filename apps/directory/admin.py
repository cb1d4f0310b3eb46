"""The directory mirror in Django's admin: read-only lists for operators."""

from __future__ import annotations

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
from apps.directory.models import DirectoryMember, DirectoryTenant


@admin.register(DirectoryMember)
class DirectoryMemberAdmin(ReadOnlyAdmin):
    list_display = ("email", "name", "role", "member_id", "auth_tenant", "removed_at")
    list_filter = ("role",)
    search_fields = ("email", "name", "nickname", "member_id")


@admin.register(DirectoryTenant)
class DirectoryTenantAdmin(ReadOnlyAdmin):
    list_display = ("tenant_name", "domain", "environment", "environment_tag", "locality")
    list_filter = ("environment_tag",)
    search_fields = ("tenant_name", "domain")
