"""The activity and audit routes, with the pages that show both sides added to them.

Those pages read activity events and dashboard actions together, which neither app may do (they
sit on one layer and never import each other), so their views live here. The root URLconf
mounts these lists under /activity/ and /audit/, keeping the names activity:detail, audit:list
and audit:detail; routes the two apps declare themselves come along unchanged.
"""

from django.urls import path

from apps.activity import urls as activity_urls
from apps.audit import urls as audit_urls
from apps.history import views

activity_routes = (
    [
        *activity_urls.urlpatterns,
        path("events/<int:pk>/", views.event_detail, name="detail"),
    ],
    activity_urls.app_name,
)
audit_routes = (
    [
        path("", views.audit_entry_list, name="list"),
        path("<int:pk>/", views.audit_entry_detail, name="detail"),
        *audit_urls.urlpatterns,
    ],
    audit_urls.app_name,
)
