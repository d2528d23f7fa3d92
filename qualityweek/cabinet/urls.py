from django.urls import path

from . import views

urlpatterns = [
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/letters/<int:pk>/acknowledge/", views.cabinet_acknowledge, name="cabinet_acknowledge"),
]
