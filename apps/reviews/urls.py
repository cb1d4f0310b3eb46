from django.urls import path

from apps.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("<int:campaign_pk>/", views.review_queue, name="queue"),
    path("<int:campaign_pk>/decide/", views.review_decide, name="decide"),
    path("<int:campaign_pk>/close/", views.review_close, name="close"),
    path("<int:campaign_pk>/apply/", views.review_apply, name="apply"),
    path("<int:campaign_pk>/stop/", views.review_stop, name="stop"),
    path("<int:campaign_pk>/reviewers/", views.review_reviewers, name="reviewers"),
    path("<int:campaign_pk>/report/", views.review_report, name="report"),
    path("<int:campaign_pk>/report/export/", views.review_report_export, name="report-export"),
]
