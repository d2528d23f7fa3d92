from django.urls import path

from . import views

urlpatterns = [
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
    path("healthz", views.health, name="health"),
]
