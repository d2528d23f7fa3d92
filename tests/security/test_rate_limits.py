"""Rate limits on the forms anyone can post: over the limit a Russian page, HTTP 429, nothing stored
and no mail sent — counted on a real SMTP server the messages travel to."""

import pytest

from qualityweek.directory.models import Organisation, Region
from qualityweek.outreach.models import Request
from qualityweek.showcase.models import ProblemReport
from tests.directory.test_services import SIGN_UP
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

LIMITED = "Слишком много запросов"


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


def limits(settings, **changes):
    settings.RATE_LIMITS = settings.RATE_LIMITS | changes


def reset(client, email, ip="10.1.1.1"):
    return client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_per_e_mail(client, world, smtp, settings):
    limits(settings, password_reset_email="3/h")
    assert [reset(client, world.school_rep.email, ip=f"10.1.1.{i}").status_code for i in range(3)] == [302] * 3
    over = reset(client, world.school_rep.email.upper(), ip="10.1.1.9")
    assert over.status_code == 429
    assert LIMITED in over.content.decode()
    assert len(smtp.messages) == 3


def test_password_reset_per_address(client, world, smtp, settings):
    limits(settings, password_reset_ip="2/h")
    assert reset(client, world.school_rep.email).status_code == 302
    assert reset(client, world.teacher.email).status_code == 302
    over = reset(client, world.operator.email)
    assert over.status_code == 429
    assert LIMITED in over.content.decode()
    assert sorted(m["To"] for m in smtp.messages) == sorted([world.school_rep.email, world.teacher.email])
    assert reset(client, world.operator.email, ip="10.1.1.2").status_code == 302  # another address is served


def test_sign_up_per_address(client, world, smtp, settings, django_capture_on_commit_callbacks):
    limits(settings, sign_up_ip="1/h")
    region = Region.objects.get(code="43").pk
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/signup/", SIGN_UP | {"region": region}, REMOTE_ADDR="10.2.2.2").status_code == 302
    client.logout()
    sent = len(smtp.messages)
    with django_capture_on_commit_callbacks(execute=True):
        over = client.post("/accounts/signup/", SIGN_UP | {"region": region, "name": "МБОУ «Лицей № 10»",
                                                           "email": "lyceum10@example.ru"}, REMOTE_ADDR="10.2.2.2")
    assert over.status_code == 429
    assert LIMITED in over.content.decode()
    assert not Organisation.objects.filter(name="МБОУ «Лицей № 10»").exists()
    assert len(smtp.messages) == sent


def test_invitation_acceptance_per_address(client, world, settings):
    limits(settings, invitation_ip="3/h")
    codes = [client.post("/accounts/invitation/not-a-token/", {}, REMOTE_ADDR="10.3.3.3").status_code
             for _ in range(4)]
    assert codes[:3] == [404] * 3
    assert codes[3] == 429


def test_problem_report_per_address(client, world, settings, make_activity):
    limits(settings, public_form_ip="2/h")
    activity = make_activity(status="approved")
    from qualityweek.activities.models import Activity
    Activity.objects.filter(pk=activity.pk).update(is_public=True)
    url = f"/report-problem/event/{activity.pk}/"
    data = {"message": "На странице неверная дата мероприятия.", "contact": "", "website": ""}
    codes = [client.post(url, data, REMOTE_ADDR="10.4.4.4").status_code for _ in range(3)]
    assert codes[2] == 429
    assert LIMITED in client.post(url, data, REMOTE_ADDR="10.4.4.4").content.decode()
    assert ProblemReport.objects.count() == 2


def test_mailbox_request_per_e_mail(client, world, smtp, settings, django_capture_on_commit_callbacks):
    limits(settings, public_form_email="1/h")
    data = {"name": "Иван", "email": "ivan@example.ru", "organisation_name": "", "region": "",
            "topic": "materials", "message": "Пришлите, пожалуйста, макеты баннеров.", "consent": "on",
            "website": ""}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/outreach/requests/new/", data, REMOTE_ADDR="10.5.5.1")
        over = client.post("/outreach/requests/new/", data | {"email": "IVAN@example.ru"}, REMOTE_ADDR="10.5.5.2")
    assert first.status_code == 302, first.content.decode()[:2000]
    assert over.status_code == 429
    assert LIMITED in over.content.decode()
    assert Request.objects.count() == 1
    assert len(smtp.messages) == 1
