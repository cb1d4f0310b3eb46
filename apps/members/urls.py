from django.urls import path

from apps.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("invite/", views.member_invite, name="invite"),
    path("invitations/", views.invitation_list, name="invitations"),
    path(
        "invitations/<int:invitation_pk>/resend/", views.invitation_resend, name="invitation-resend"
    ),
    path(
        "invitations/<int:invitation_pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation-withdraw",
    ),
    path("<str:member_id>/", views.member_detail, name="detail"),
    path("<str:member_id>/role/", views.member_role_change, name="role-change"),
    path("<str:member_id>/remove/", views.member_remove, name="remove"),
]
