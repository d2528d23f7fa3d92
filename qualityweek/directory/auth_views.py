"""Signing in: the password step (throttled by django-axes), the way back from a lockout by a
password reset, and (in otp.py) the second factor for the roles that need one."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from .forms_auth import EmailAuthenticationForm


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account name axes counts failures for: the e-mail as the person logs in with, lower-cased
    (e-mails are stored lower-cased, so «Ivan@…» and «ivan@…» are one account)."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") if request is not None and request.method == "POST" else None
    return name.strip().lower() if isinstance(name, str) else name


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password by the e-mailed link also lifts a login lockout of the account."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.email.lower())
        return response
