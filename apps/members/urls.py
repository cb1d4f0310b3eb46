from django.urls import path

from apps.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("<str:member_id>/", views.member_detail, name="detail"),
]
