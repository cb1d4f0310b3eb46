"""Root URLconf: each app under its namespace; the sandbox only when enabled; the error pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.core.views import favicon
from apps.history.urls import activity_routes, audit_routes

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("auth-tenants/", include("apps.authtenants.urls")),
    path("tenants/", include("apps.tenants.urls")),
    path("members/", include("apps.members.urls")),
    path("access/", include("apps.access.urls")),
    path("people/", include("apps.people.urls")),
    path("activity/", include(activity_routes)),
    path("audit/", include(audit_routes)),
    path("sync/", include("apps.sync.urls")),
    path("reviews/", include("apps.reviews.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]

if settings.TEAMSADMIN_SANDBOX:
    urlpatterns.append(path("sandbox/", include("apps.sandbox.urls")))

handler403 = "apps.core.errorpages.permission_denied"
handler404 = "apps.core.errorpages.page_not_found"
handler500 = "apps.core.errorpages.server_error"
