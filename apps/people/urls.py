from django.urls import path

from apps.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_search, name="search"),
    path("offboard/", views.offboard_confirm, name="offboard"),
    path("offboard/<int:job_id>/", views.offboard_job, name="job"),
    path("offboard/steps/<str:step_id>/retry/", views.offboard_step_retry, name="step-retry"),
]
