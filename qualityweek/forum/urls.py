from django.urls import path

from . import views

urlpatterns = [
    path("forum/", views.programme, name="forum_programme"),
    path("forum/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("forum/new/", views.create, name="forum_create"),
    path("forum/session/<int:pk>/", views.session_detail, name="forum_session"),
    path("forum/session/<int:pk>/session.ics", views.session_ics, name="forum_session_ics"),
    path("forum/session/<int:pk>/register/", views.register, name="forum_register"),
    path("forum/r/<int:pk>/<str:token>/", views.registration_page, name="forum_registration"),
    path("forum/r/<int:pk>/<str:token>/edit/", views.registration_edit, name="forum_registration_edit"),
    path("forum/r/<int:pk>/<str:token>/cancel/", views.registration_cancel, name="forum_registration_cancel"),
    path("forum/r/<int:pk>/<str:token>/accept/", views.registration_accept, name="forum_registration_accept"),
    path("forum/r/<int:pk>/<str:token>/ticket.pdf", views.ticket_file, name="forum_ticket_pdf"),
    path("forum/my/", views.my_registrations, name="forum_my"),
    path("forum/my/programme.ics", views.my_ics, name="forum_my_ics"),
    path("forum/join/<str:token>/", views.join, name="forum_join"),
    path("forum/<int:pk>/regional/", views.regional, name="forum_regional"),
    path("forum/venue/<int:pk>/watchers/", views.venue_watchers, name="forum_venue_watchers"),
    path("forum/<int:pk>/group/", views.group, name="forum_group"),
    path("forum/<int:pk>/approvals/", views.approvals, name="forum_approvals"),
    path("forum/registration/<int:pk>/approve/", views.approve, name="forum_approve"),
    path("forum/registration/<int:pk>/decline/", views.decline, name="forum_decline"),
    path("forum/<int:pk>/registrations/", views.registrations, name="forum_registrations"),
    path("forum/<int:pk>/dashboard/", views.dashboard, name="forum_dashboard"),
    path("forum/<int:pk>/manage/", views.manage, name="forum_manage"),
    path("forum/<int:pk>/export.xlsx", views.export, name="forum_export"),
    path("forum/<int:pk>/checkin/", views.checkin, name="forum_checkin"),
    path("forum/<int:pk>/checkin/scan/", views.checkin_scan, name="forum_checkin_scan"),
    path("forum/<int:pk>/checkin/venue/<int:venue_pk>/list.json", views.checkin_list, name="forum_checkin_list"),
    path("forum/<int:pk>/checkin/sync/", views.checkin_sync, name="forum_checkin_sync"),
]
