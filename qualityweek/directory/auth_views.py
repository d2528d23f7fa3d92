"""Signing in: the password step (throttled by django-axes), the way back from a lockout by a
password reset, and (in otp.py) the second factor for the roles that need one."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from qualityweek.core.ratelimit import limited_response, over_limit

from . import otp
from .forms_auth import EmailAuthenticationForm, RussianPasswordResetForm


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account name axes counts failures for: the e-mail as the person logs in with, lower-cased
    (e-mails are stored lower-cased, so «Ivan@…» and «ivan@…» are one account)."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") if request is not None and request.method == "POST" else None
    return name.strip().lower() if isinstance(name, str) else name


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm

    def form_valid(self, form) -> HttpResponse:
        """The password is right: a second factor first for those who have one (otp.py)."""
        return otp.after_password(self.request, form.get_user(), self.get_success_url(),
                                  lambda: super(LoginView, self).form_valid(form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_limit(request, "login"):  # per address; axes counts failures per account + address
            return limited_response(request)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """The reset form, limited per address and per e-mail: over the limit no mail is sent."""

    form_class = RussianPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_limit(request, "password_reset", email=request.POST.get("email")):
            return limited_response(request)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password by the e-mailed link also lifts a login lockout of the account."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.email.lower())
        return response
