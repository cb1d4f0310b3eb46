from django.urls import path

from apps.members import bulk_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("invite/", views.member_invite, name="invite"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("bulk/", bulk_views.bulk_invite, name="bulk"),
    path("bulk/<int:job_id>/", bulk_views.bulk_invite_detail, name="bulk-detail"),
    path("bulk/<int:job_id>/send/", bulk_views.bulk_invite_send, name="bulk-send"),
    path("bulk/<int:job_id>/results.csv", bulk_views.bulk_invite_results, name="bulk-results"),
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
