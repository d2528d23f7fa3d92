from django.urls import path

from . import views
from .imports import views as import_views
from .photos import views as photo_views
from .regional import views as report_views

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/review/", views.activity_review, name="activity_review"),
    path("activities/import/", import_views.activity_import, name="activity_import"),
    path("activities/import/template.xlsx", import_views.activity_import_template, name="activity_import_template"),
    path("activities/import/<int:pk>/", import_views.activity_import_detail, name="activity_import_detail"),
    path("activities/import/<int:pk>/confirm/", import_views.activity_import_confirm, name="activity_import_confirm"),
    path("activities/import/<int:pk>/cancel/", import_views.activity_import_cancel, name="activity_import_cancel"),
    path("activities/import/<int:pk>/retry/", import_views.activity_import_retry, name="activity_import_retry"),
    path("activities/export/", import_views.activity_export, name="activity_export"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/report/", views.activity_report, name="activity_report"),
    path("activities/<int:pk>/submit/", views.activity_submit, name="activity_submit"),
    path("activities/<int:pk>/approve/", views.activity_approve, name="activity_approve"),
    path("activities/<int:pk>/return/", views.activity_return, name="activity_return"),
    path("activities/<int:pk>/reopen/", views.activity_reopen, name="activity_reopen"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/hide/", views.activity_hide, name="activity_hide"),
    path("activities/<int:pk>/photos/", photo_views.photo_upload, name="photo_upload"),
    path("activities/photos/<int:pk>/delete/", photo_views.photo_delete, name="photo_delete"),
    path("activities/photos/<int:pk>/<str:variant>/", photo_views.photo_file, name="photo_file"),
    path("reports/", report_views.regional_report_list, name="regional_report_list"),
    path("reports/<int:year>/<str:code>/<str:sector>/", report_views.regional_report_detail,
         name="regional_report_detail"),
    path("reports/<int:year>/<str:code>/<str:sector>/report.xlsx", report_views.regional_report_xlsx,
         name="regional_report_xlsx"),
    path("reports/<int:year>/<str:code>/<str:sector>/report.pdf", report_views.regional_report_pdf,
         name="regional_report_pdf"),
    path("reports/<int:year>/<str:code>/<str:sector>/start/", report_views.regional_report_start,
         name="regional_report_start"),
    path("reports/<int:year>/<str:code>/<str:sector>/submit/", report_views.regional_report_submit,
         name="regional_report_submit"),
    path("reports/<int:year>/<str:code>/<str:sector>/accept/", report_views.regional_report_accept,
         name="regional_report_accept"),
    path("reports/<int:year>/<str:code>/<str:sector>/return/", report_views.regional_report_return,
         name="regional_report_return"),
]
