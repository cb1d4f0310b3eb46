from django.urls import path

from apps.tenants import views

app_name = "tenants"
urlpatterns = [
    path("", views.tenant_list, name="list"),
    # Before <tenant_id>/: "new" is a page of its own, not a tenant id.
    path("new/", views.tenant_create, name="create"),
    path("<str:tenant_id>/", views.tenant_detail, name="detail"),
    path("<str:tenant_id>/delete/", views.tenant_delete, name="delete"),
]
