from django.urls import path

from . import views

urlpatterns = [
    path("contest/", views.contest_index, name="contest_index"),
    path("contest/my/", views.contest_my, name="contest_my"),
    path("contest/jury/", views.contest_jury, name="contest_jury"),
    path("contest/jury/applications/<int:pk>/", views.contest_score, name="contest_score"),
    path("contest/jury/applications/<int:pk>/conflict/", views.contest_declare_conflict,
         name="contest_declare_conflict"),
    path("contest/nominations/<int:pk>/apply/", views.contest_apply, name="contest_apply"),
    path("contest/applications/<int:pk>/", views.contest_application, name="contest_application"),
    path("contest/applications/<int:pk>/edit/", views.contest_application_edit, name="contest_application_edit"),
    path("contest/applications/<int:pk>/submit/", views.contest_application_submit,
         name="contest_application_submit"),
    path("contest/applications/<int:pk>/withdraw/", views.contest_application_withdraw,
         name="contest_application_withdraw"),
    path("contest/applications/<int:pk>/conflict/", views.contest_application_conflict,
         name="contest_application_conflict"),
    path("contest/applications/<int:pk>/files/<slug:key>/", views.contest_attachment, name="contest_attachment"),
    path("contest/conflicts/<int:pk>/", views.contest_conflict_decide, name="contest_conflict_decide"),
    path("contest/<int:year>/", views.contest_detail, name="contest_detail"),
    path("contest/<int:year>/winners/", views.contest_winners, name="contest_winners"),
    path("contest/<int:year>/chair/", views.contest_chair, name="contest_chair"),
    path("contest/<int:year>/chair/<int:nomination>/<str:round>/<str:region>/", views.contest_ranking,
         name="contest_ranking"),
    path("contest/<int:year>/chair/<int:nomination>/<str:round>/<str:region>/confirm/", views.contest_confirm,
         name="contest_confirm"),
    path("contest/<int:year>/export.xlsx", views.contest_export, name="contest_export"),
    path("contest/<int:year>/manage/", views.contest_manage, name="contest_manage"),
    path("contest/<int:year>/phase/", views.contest_phase, name="contest_phase"),
    path("contest/<int:year>/invite/", views.contest_invite, name="contest_invite"),
]
