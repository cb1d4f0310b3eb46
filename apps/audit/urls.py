"""Routes of the audit app's own pages; the Dashboard actions pages, which show the Auth0
events each action caused too, are added to this namespace by apps.history.urls."""

from django.urls import path

from apps.audit import views

app_name = "audit"
urlpatterns = [
    path("export/", views.audit_entry_export, name="export"),
]
