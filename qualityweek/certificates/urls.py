from django.urls import path

from . import views

urlpatterns = [
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/mine/", views.certificate_mine, name="certificate_mine"),
    path("certificates/issue/", views.certificate_issue, name="certificate_issue"),
    path("certificates/zip/", views.certificate_zip, name="certificate_zip"),
    path("certificates/send/", views.certificate_send_many, name="certificate_send_many"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/reissue/", views.certificate_reissue, name="certificate_reissue"),
    path("certificates/<int:pk>/send/", views.certificate_send, name="certificate_send"),
    path("c/<str:public_id>/", views.certificate_verify, name="certificate_verify"),
]
