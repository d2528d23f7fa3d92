from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/manage/", views.manage_list, name="campaign_manage"),
    path("campaigns/manage/new/", views.manage_create, name="campaign_manage_create"),
    path("campaigns/manage/<int:year>/", views.manage_detail, name="campaign_manage_detail"),
    path("campaigns/manage/<int:year>/phase/", views.manage_phase, name="campaign_manage_phase"),
    path("campaigns/manage/<int:year>/windows/", views.manage_window, name="campaign_manage_window"),
    path("campaigns/manage/<int:year>/windows/<int:pk>/delete/", views.manage_window_delete,
         name="campaign_manage_window_delete"),
]
