from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Неделя качества — администрирование"
admin.site.site_title = "Неделя качества"
admin.site.index_title = "Оператор"

urlpatterns = [
    path("", include("qualityweek.activities.urls")),
    path("", include("qualityweek.showcase.urls")),
    path("", include("qualityweek.campaigns.urls")),
    path("", include("qualityweek.directory.urls")),
    path("", include("qualityweek.outreach.urls")),
    path("", include("qualityweek.certificates.urls")),
    path("", include("qualityweek.quizzes.urls")),
    path("", include("qualityweek.forum.urls")),
    path("", include("qualityweek.contest.urls")),
    path("", include("qualityweek.analytics.urls")),
    path("", include("qualityweek.notifications.urls")),
    path("", include("qualityweek.cabinet.urls")),
    path("", include("qualityweek.core.urls")),
    path("admin/", admin.site.urls),
]
