"""Login throttling (django-axes): five wrong passwords for one account from one address lock it out
for a while, with a Russian page that offers the password-reset link; the reset lets the person back in."""

import re

import pytest
from django.core import mail

from tests import factories as f

pytestmark = pytest.mark.django_db

LOCKED = "Слишком много неудачных попыток входа"


def login(client, email, password, ip="10.0.0.7"):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_six_wrong_passwords_lock_the_account_then_reset_lets_in(client, world):
    email = world.school_rep.email
    for _ in range(6):
        response = login(client, email, "wrong-password")
    assert response.status_code == 429
    refused = login(client, email, f.PASSWORD)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert LOCKED in html
    assert "/accounts/password-reset/" in html
    assert "_auth_user_id" not in client.session
    # The way back: the reset link by e-mail, a new password, and the person signs in again.
    assert client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR="10.0.0.7").status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body)[1]
    form_url = client.get(link, REMOTE_ADDR="10.0.0.7")["Location"]
    done = client.post(form_url, {"new_password1": "Nov-parol-2026!", "new_password2": "Nov-parol-2026!"},
                       REMOTE_ADDR="10.0.0.7")
    assert done.status_code == 302
    back = login(client, email, "Nov-parol-2026!")
    assert back.status_code == 302
    assert client.session["_auth_user_id"] == str(world.school_rep.pk)


def test_failures_of_one_address_do_not_lock_another_address(client, world):
    for _ in range(6):
        login(client, world.school_rep.email, "wrong-password", ip="10.0.0.7")
    assert login(client, world.school_rep.email, f.PASSWORD, ip="10.0.0.8").status_code == 302


def test_e_mail_case_does_not_evade_the_lock(client, world):
    email = world.school_rep.email
    for i in range(6):
        login(client, email.upper() if i % 2 else email, "wrong-password")
    assert login(client, email, f.PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_rate_limited(client, world, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"login_ip": "3/15m"}
    for user in (world.school_rep, world.teacher, world.operator):
        assert login(client, user.email, "wrong-password", ip="10.9.9.9").status_code == 200
    over = login(client, world.kirov_edu.email, f.PASSWORD, ip="10.9.9.9")
    assert over.status_code == 429
    assert "Слишком много запросов" in over.content.decode()
    assert "_auth_user_id" not in client.session
    assert login(client, world.kirov_edu.email, f.PASSWORD, ip="10.9.9.10").status_code == 302
