from django.urls import path

from . import views

urlpatterns = [
    path("outreach/letters/", views.letter_list, name="outreach_letters"),
    path("outreach/letters/new/", views.letter_create, name="outreach_letter_create"),
    path("outreach/letters/<int:pk>/", views.letter_detail, name="outreach_letter_detail"),
    path("outreach/letters/<int:pk>/edit/", views.letter_edit, name="outreach_letter_edit"),
    path("outreach/letters/<int:pk>/delete/", views.letter_delete, name="outreach_letter_delete"),
    path("outreach/letters/<int:pk>/register/", views.letter_register, name="outreach_letter_register"),
    path("outreach/letters/<int:pk>/letter.pdf", views.letter_pdf, name="outreach_letter_pdf"),
    path("outreach/letters/<int:pk>/letter.docx", views.letter_docx, name="outreach_letter_docx"),
    path("outreach/letters/<int:pk>/send/", views.letter_dispatch, name="outreach_letter_dispatch"),
    path("outreach/letters/<int:pk>/tracking/", views.letter_tracking, name="outreach_letter_tracking"),
    path("outreach/letters/<int:pk>/tracking/table/", views.letter_tracking_table,
         name="outreach_letter_tracking_table"),
    path("outreach/letters/<int:pk>/dispatches/<int:dispatch_pk>/resume/", views.dispatch_resume,
         name="outreach_dispatch_resume"),
    path("outreach/letters/<int:pk>/dispatches/<int:dispatch_pk>/status/", views.dispatch_status,
         name="outreach_dispatch_status"),
    path("outreach/letters/<int:pk>/dispatches/<int:dispatch_pk>/unknown/", views.dispatch_unknown,
         name="outreach_dispatch_unknown"),
    path("outreach/letters/<int:pk>/copies/", views.letter_render, name="outreach_letter_render"),
    path("outreach/letters/<int:pk>/cascade/", views.letter_cascade, name="outreach_letter_cascade"),
    path("outreach/letterhead/", views.letterhead, name="outreach_letterhead"),
    path("outreach/registers/", views.register_list, name="outreach_registers"),
    path("outreach/templates/", views.template_list, name="outreach_templates"),
    path("outreach/templates/new/", views.template_edit, name="outreach_template_create"),
    path("outreach/templates/<int:pk>/", views.template_edit, name="outreach_template_edit"),
    # Public
    path("outreach/check/<str:token>/", views.letter_check, name="outreach_letter_check"),
    path("outreach/ack/<str:token>/", views.acknowledge, name="outreach_acknowledge"),
    path("outreach/materials/", views.material_list, name="outreach_materials"),
    path("outreach/materials/<int:pk>/download/", views.material_download, name="outreach_material_download"),
    path("outreach/materials/<int:pk>/image/", views.material_image, name="outreach_material_image"),
    path("outreach/materials/new/", views.material_edit, name="outreach_material_create"),
    path("outreach/materials/<int:pk>/edit/", views.material_edit, name="outreach_material_edit"),
    path("outreach/requests/new/", views.request_new, name="outreach_request_new"),
    # The operator's mailbox
    path("outreach/requests/", views.request_list, name="outreach_requests"),
    path("outreach/requests/<int:pk>/", views.request_detail, name="outreach_request_detail"),
    path("outreach/requests/<int:pk>/<str:action>/", views.request_move, name="outreach_request_move"),
]
