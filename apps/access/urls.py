from django.urls import path

from apps.access import expiry_views, history_views, views

app_name = "access"
urlpatterns = [
    path("members/<str:member_id>/grant/", views.access_grant, name="grant"),
    path("members/<str:member_id>/change/", views.access_change, name="change"),
    path("members/<str:member_id>/revoke/", views.access_revoke, name="revoke"),
    path("members/<str:member_id>/results/<str:key>/", views.access_result, name="result"),
    path("tenants/<str:tenant_id>/grant/", views.tenant_grant, name="tenant-grant"),
    path("members/<str:member_id>/copy/", expiry_views.access_copy, name="copy"),
    path("members/<str:member_id>/ends/<str:tenant_id>/", expiry_views.access_end, name="end"),
    path("expiring/", expiry_views.access_expiring, name="expiring"),
    path("as-of/", history_views.access_as_of, name="as-of"),
    path("as-of/export.csv", history_views.access_as_of_export, name="as-of-export"),
    path("changes/", history_views.access_changes, name="changes"),
    path("changes/export.csv", history_views.access_changes_export, name="changes-export"),
]
