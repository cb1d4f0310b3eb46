from django.urls import path

from apps.tenants import views

app_name = "tenants"
urlpatterns = [
    path("", views.tenant_list, name="list"),
    path("<str:tenant_id>/", views.tenant_detail, name="detail"),
]
