from django.urls import URLPattern

app_name = "activity"
urlpatterns: list[URLPattern] = []
