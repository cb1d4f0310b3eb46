from django.urls import path

from apps.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("per-day/", views.event_chart, name="chart"),
    path("export/", views.event_export, name="export"),
    path("verify/", views.archive_verify, name="verify"),
]
