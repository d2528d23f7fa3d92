"""E-mail travels over real SMTP to a local aiosmtpd server."""

import re

import pytest

from qualityweek.core.audit import Actor
from qualityweek.directory import services
from qualityweek.directory.models import Role, User

from .smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


def test_password_reset_over_smtp(client, world, smtp):
    response = client.post("/accounts/password-reset/", {"email": "School@Example.ru"})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "school@example.ru"
    assert "Восстановление пароля" in str(message["Subject"])
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", smtp.bodies()[0]).group(1)
    form = client.get(link, follow=True)
    assert "Новый пароль" in form.content.decode()
    new = {"new_password1": "Novyj-Parol-2026", "new_password2": "Novyj-Parol-2026"}
    done = client.post(form.redirect_chain[-1][0], new)
    assert done.status_code == 302
    assert User.objects.get(email="school@example.ru").check_password("Novyj-Parol-2026")


def test_unknown_email_gets_no_message_and_no_hint(client, db, smtp):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.ru"}, follow=True)
    assert "Если этот e-mail зарегистрирован" in response.content.decode()
    assert smtp.messages == []


def test_invitation_over_smtp(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = services.invite(actor=Actor(user=world.operator), email="coordinator@kirov.example.ru",
                                   role=Role.COORDINATOR, region=world.kirov_school.region, sector="education")
    assert [m["To"] for m in smtp.messages] == ["coordinator@kirov.example.ru"]
    body = smtp.bodies()[0]
    assert "Региональный координатор" in body
    assert token in body


def test_smtp_refusal_does_not_break_the_request(client, world, smtp, django_capture_on_commit_callbacks):
    """The invitation is saved; the failed delivery is the job's failure, not a 500."""
    smtp.refuse.add("bounce@example.ru")
    client.force_login(world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/directory/invitations/", {"email": "bounce@example.ru", "role": "org_rep",
                                                            "organisation": world.kirov_school.pk})
    assert response.status_code == 302
    assert smtp.messages == []
