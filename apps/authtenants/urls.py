from django.urls import URLPattern

app_name = "authtenants"
urlpatterns: list[URLPattern] = []
