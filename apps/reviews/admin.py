"""Access review items in Django's admin: a read-only list for operators."""

from __future__ import annotations

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
from apps.reviews.models import ReviewItem


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    list_display = ("member_email", "tenant_name", "decision", "decided_by_username", "apply_state")
    list_filter = ("decision", "apply_state")
    search_fields = ("member_email", "tenant_name", "member_id")
