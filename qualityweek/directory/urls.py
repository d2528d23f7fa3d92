from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import auth_views as login_views
from . import otp, views

urlpatterns = [
    path("directory/regions/", views.region_list, name="region_list"),
    path("directory/regions/<str:code>/", views.region_detail, name="region_detail"),
    path("directory/organisations/", views.organisation_list, name="organisation_list"),
    path("directory/organisations/new/", views.organisation_create, name="organisation_create"),
    path("directory/organisations/export/", views.organisation_export, name="organisation_export"),
    path("directory/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("directory/organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("directory/organisations/<int:pk>/<str:action>/", views.organisation_status,
         name="organisation_status"),
    path("directory/invitations/", views.invitation_list, name="invitation_list"),
    path("directory/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    # Accounts
    path("accounts/login/", login_views.LoginView.as_view(), name="login"),
    path("accounts/otp/verify/", otp.verify, name="otp_verify"),
    path("accounts/otp/setup/", otp.setup, name="otp_setup"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.sign_up, name="sign_up"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("accounts/password-reset/", login_views.PasswordResetView.as_view(
        success_url=reverse_lazy("password_reset_done")), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", login_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("password_reset_complete")), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
