"""Two-factor authentication with django-otp (docs/decisions/0014): a TOTP app and ten one-time
recovery codes (django-otp's static device).

- After the password, a person who has a confirmed device is not signed in yet: the login view keeps
  them as *pending* in the session and sends them to ``otp_verify``.
- ``settings.OTP_REQUIRED_ROLES`` (``operator``, ``coordinator``) makes enrolment compulsory: such a
  person without a device is signed in with the session flag ``otp_enrol_required`` and
  ``OTPEnrolmentMiddleware`` keeps them on the enrolment page until a device is confirmed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import cast

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qualityweek.core.audit import Actor, record

from .access import principal
from .models import User

PENDING = "otp_pending"
ENROL_REQUIRED = "otp_enrol_required"
RECOVERY_CODES = 10
ISSUER = "Неделя качества"
# Pages a person who must enrol may still open.
ENROL_ALLOWED = ("otp_setup", "logout")


class CodeForm(forms.Form):
    code = forms.CharField(label="Код", max_length=16, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}),
        help_text="Шесть цифр из приложения или один из кодов восстановления.")

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def required_for(user: User) -> bool:
    """Whether the policy makes this person use a second factor."""
    roles = set(getattr(settings, "OTP_REQUIRED_ROLES", []))
    if not roles:
        return False
    p = principal(user)
    return ("operator" in roles and p.is_operator) or ("coordinator" in roles and p.is_coordinator)


def has_device(user: User) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def begin_verification(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and the person has a device: remember them for the second step only."""
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "backend": getattr(user, "backend", ""), "next": next_url}
    return redirect("otp_verify")


def _safe(request: HttpRequest, url: str) -> str:
    ok = url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure())
    return url if ok else reverse(settings.LOGIN_REDIRECT_URL)


def verify(request: HttpRequest) -> HttpResponse:
    pending: dict = request.session.get(PENDING) or {}
    user = get_user_model().objects.filter(pk=pending.get("user", 0), is_active=True).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"])
        if device is None:
            form.add_error("code", "Неверный код. Проверьте время на телефоне или введите код восстановления.")
        else:
            next_url = _safe(request, pending.get("next", ""))
            del request.session[PENDING]
            login(request, user, backend=pending.get("backend") or "django.contrib.auth.backends.ModelBackend")
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                record(actor=Actor.from_request(request), action="otp.recovery_code_used", obj=user,
                       after={"codes_left": left})
            return redirect(next_url)
    return render(request, "registration/otp_verify.html", {"form": form})


def _otpauth_url(device: TOTPDevice) -> str:
    """The key as authenticator apps read it; the account label is the e-mail."""
    return cast(str, device.config_url)


def _qr_svg(url: str) -> str:
    # Inline SVG: no style attributes (segno's output uses presentation attributes), so the CSP holds.
    return segno.make(url, error="m").svg_inline(scale=5, border=2, title="QR-код для приложения-аутентификатора")


@transaction.atomic
def _confirm(request: HttpRequest, user: User, device: TOTPDevice) -> list[str]:
    """Confirm the app and issue fresh recovery codes (any old ones are void)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Коды восстановления", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    record(actor=Actor.from_request(request), action="otp.enrol", obj=user, after={"devices": ["totp", "static"]})
    return codes


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if has_device(user) and not request.session.get(ENROL_REQUIRED):
        return render(request, "directory/otp_setup.html", {"enabled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Приложение", confirmed=False,
                                           key=secrets.token_hex(20))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(request, user, device)
            django_otp.login(request, device)
            request.session.pop(ENROL_REQUIRED, None)
            return render(request, "directory/otp_codes.html", {"codes": codes})
        form.add_error("code", "Неверный код. Проверьте, что время на телефоне установлено автоматически.")
    url = _otpauth_url(device)
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(request, "directory/otp_setup.html", {
        "form": form, "qr_svg": _qr_svg(url), "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "required": bool(request.session.get(ENROL_REQUIRED))})


class OTPEnrolmentMiddleware:
    """Keeps a person whom the policy requires to enrol on the enrolment page until they have."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (getattr(request, "session", None) is not None and request.session.get(ENROL_REQUIRED)
                and request.user.is_authenticated):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in ENROL_ALLOWED and not request.path_info.startswith(settings.STATIC_URL):
                return redirect("otp_setup")
        return self.get_response(request)


def after_password(request: HttpRequest, user: User, next_url: str, default: Callable[[], HttpResponse],
                   ) -> HttpResponse:
    """What the login view does once the password is right."""
    if has_device(user):
        return begin_verification(request, user, next_url)
    response = default()
    if required_for(user):
        request.session[ENROL_REQUIRED] = True
        return redirect("otp_setup")
    return response

