from django.contrib.auth import views as auth_views
from django.urls import path

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/sso/", views.sso_begin, name="sso"),
    path("login/sso/callback/", views.sso_callback, name="sso-callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
