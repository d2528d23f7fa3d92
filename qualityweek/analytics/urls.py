from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="analytics_dashboard"),
    path("dashboard/regions/<str:code>/", views.region, name="analytics_region"),
    path("dashboard/regions/<str:code>/remind/", views.remind, name="analytics_remind"),
    path("dashboard/activities/", views.activities, name="analytics_activities"),
    path("dashboard/history/", views.history, name="analytics_history"),
    path("figures/", views.figures, name="analytics_figures"),
    path("open-data/<int:year>/aggregates-excel.csv", views.open_data_excel, name="analytics_open_data_excel"),
    path("open-data/<int:year>/aggregates.<str:fmt>", views.open_data_file, name="analytics_open_data"),
    path("api/v1/openapi.json", views.api_openapi, name="api_openapi"),
    path("api/v1/campaigns/", views.api_campaigns, name="api_campaigns"),
    path("api/v1/regions/", views.api_regions, name="api_regions"),
    path("api/v1/campaigns/<int:year>/aggregates/", views.api_aggregates, name="api_aggregates"),
]
