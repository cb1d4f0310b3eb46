from django.urls import path

from apps.sync import views

app_name = "sync"
urlpatterns = [
    path("", views.sync_status, name="status"),
    path("<int:pk>/sync-now/", views.sync_now, name="sync-now"),
]
