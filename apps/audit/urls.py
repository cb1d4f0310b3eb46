from django.urls import path

from apps.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_entry_list, name="list"),
    path("export/", views.audit_entry_export, name="export"),
]
