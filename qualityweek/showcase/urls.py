from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from qualityweek.core.public_cache import public_page

from . import campaign_pages, views
from .feeds import PracticesFeed
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", campaign_pages.home, name="home"),
    path("campaigns/", campaign_pages.campaign_list, name="campaign_list"),
    path("campaigns/<int:year>/", campaign_pages.campaign_detail, name="campaign_detail"),
    path("afisha/", views.event_list, name="event_list"),
    path("afisha/<int:pk>/", views.event_detail, name="event_detail"),
    path("afisha/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path("practices/", views.practice_list, name="practice_list"),
    path("practices/feed/", public_page("practices")(PracticesFeed()), name="practice_feed"),
    path("practices/<int:pk>/", views.practice_detail, name="practice_detail"),
    path("practices/<int:pk>/photos/<int:photo_pk>/", views.practice_photo, name="practice_photo"),
    path("practices/<int:pk>/photos/<int:photo_pk>/thumb/", views.practice_photo, {"variant": "thumb"},
         name="practice_photo_thumb"),
    path("afisha/<int:pk>/photos/<int:photo_pk>/", views.event_photo, name="event_photo"),
    path("afisha/<int:pk>/photos/<int:photo_pk>/thumb/", views.event_photo, {"variant": "thumb"},
         name="event_photo_thumb"),
    path("report-problem/<str:kind>/<int:pk>/", views.report_problem, name="report_problem"),
    path("practices/manage/", views.practice_manage, name="practice_manage"),
    path("practices/manage/<int:pk>/", views.practice_manage_detail, name="practice_manage_detail"),
    path("practices/manage/<int:pk>/<str:action>/", views.practice_moderate, name="practice_moderate"),
    path("practices/nominate/<int:activity_pk>/", views.practice_nominate, name="practice_nominate"),
    path("practices/problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("sitemap.xml", public_page(*("campaign", "events", "practices"))(sitemap_views.index),
         {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<section>.xml", public_page("campaign", "events", "practices")(sitemap_views.sitemap),
         {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots, name="robots"),
]
