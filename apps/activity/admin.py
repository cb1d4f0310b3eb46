"""The stored activity log in Django's admin: a read-only list for operators."""

from __future__ import annotations

from django.contrib import admin

from apps.activity.models import ActivityEvent
from apps.core.admin import ReadOnlyAdmin


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "type", "current_event", "status", "actor_name", "auth_tenant")
    list_filter = ("type", "status")
    list_select_related = ("auth_tenant",)
    list_per_page = 50  # the history page's page size, so ?p=N is the same depth
