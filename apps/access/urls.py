from django.urls import path

from apps.access import views

app_name = "access"
urlpatterns = [
    path("members/<str:member_id>/grant/", views.access_grant, name="grant"),
    path("members/<str:member_id>/change/", views.access_change, name="change"),
    path("members/<str:member_id>/revoke/", views.access_revoke, name="revoke"),
    path("members/<str:member_id>/results/<str:key>/", views.access_result, name="result"),
    path("tenants/<str:tenant_id>/grant/", views.tenant_grant, name="tenant-grant"),
]
