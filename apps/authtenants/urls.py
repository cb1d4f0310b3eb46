from django.urls import path

from apps.authtenants import views

app_name = "authtenants"
urlpatterns = [
    path("", views.authtenant_list, name="list"),
    path("new/", views.authtenant_create, name="create"),
    path("<int:pk>/edit/", views.authtenant_edit, name="edit"),
    path("<int:pk>/delete/", views.authtenant_delete, name="delete"),
    path("<int:pk>/test/", views.authtenant_test, name="test"),
    path("<int:pk>/clients/add/", views.authclient_add, name="client-add"),
    path("clients/<int:client_pk>/edit/", views.authclient_edit, name="client-edit"),
    path("clients/<int:client_pk>/remove/", views.authclient_remove, name="client-remove"),
]
