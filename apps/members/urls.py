from django.urls import path

from apps.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("invite/", views.member_invite, name="invite"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("<str:member_id>/", views.member_detail, name="detail"),
    path("<str:member_id>/role/", views.member_role_change, name="role-change"),
    path("<str:member_id>/remove/", views.member_remove, name="remove"),
]
