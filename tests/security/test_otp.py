"""Two-factor authentication (django-otp): TOTP enrolment with a QR code, a verification step after
the password for anyone with a device, one-time recovery codes, and the OTP_REQUIRED_ROLES policy."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice, drift: int = 0) -> str:
    """The code the app shows now (drift=1: in the next 30-second step, as at a later login)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:0{device.digits}d}"


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    client.force_login(user)
    page = client.get("/accounts/otp/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "Google Authenticator" in html
    assert 'style="' not in html  # the QR code obeys the CSP
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/accounts/otp/setup/", {"code": current_code(device)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r'<li class="recovery-code"><code>([a-z0-9]+)</code></li>', done.content.decode())
    assert len(codes) == 10
    client.logout()
    return device, codes


def password_step(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/verify/")
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    return response


def test_enrol_then_sign_in_with_the_app_code(client, world):
    device, _ = enrol(client, world.kirov_edu)
    password_step(client, world.kirov_edu)
    wrong = client.post("/accounts/otp/verify/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Неверный код" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    # The app's next code (the one used at enrolment may not be replayed; one step of tolerance).
    ok = client.post("/accounts/otp/verify/", {"code": current_code(device, drift=1)})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(world.kirov_edu.pk)
    assert client.get("/dashboard/").status_code == 200


def test_recovery_code_works_once(client, world):
    _, codes = enrol(client, world.operator)
    password_step(client, world.operator)
    assert client.post("/accounts/otp/verify/", {"code": codes[0]}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.logout()
    password_step(client, world.operator)
    again = client.post("/accounts/otp/verify/", {"code": codes[0]})
    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_recovery_codes_are_shown_only_once(client, world):
    _, codes = enrol(client, world.kirov_edu)
    client.force_login(world.kirov_edu)
    html = client.get("/accounts/otp/setup/").content.decode()
    assert "Двухфакторная защита включена" in html
    assert codes[0] not in html


def test_verify_page_without_a_password_step_goes_to_login(client, world):
    response = client.get("/accounts/otp/verify/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_required_roles_must_enrol_at_next_login(client, world, settings):
    settings.OTP_REQUIRED_ROLES = ["operator", "coordinator"]
    response = client.post("/accounts/login/", {"username": world.kirov_edu.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/otp/setup/"
    blocked = client.get("/dashboard/")
    assert blocked.status_code == 302
    assert blocked["Location"] == "/accounts/otp/setup/"
    assert client.get("/accounts/otp/setup/").status_code == 200
    client.logout()
    # An organisation's representative is not in the policy: signs in as before.
    rep = client.post("/accounts/login/", {"username": world.school_rep.email, "password": f.PASSWORD})
    assert rep.status_code == 302
    assert rep["Location"] == "/cabinet/"
    assert client.get("/activities/").status_code == 200


def test_policy_is_off_by_default_in_development(settings):
    assert settings.OTP_REQUIRED_ROLES == []
