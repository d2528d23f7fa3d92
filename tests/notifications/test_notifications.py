"""Notifications: events from the services become in-app notifications and letters over real SMTP,
each exactly once; opt-out per kind, the coordinators' daily digest, the deadline reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qualityweek.activities import services as activity_services
from qualityweek.activities.regional import services as regional
from qualityweek.core.audit import Actor
from qualityweek.directory import services as directory_services
from qualityweek.directory.models import Organisation
from qualityweek.notifications import sending, services
from qualityweek.notifications.models import Digest, Notification
from qualityweek.outreach import tasks as outreach_tasks
from qualityweek.outreach.models import Delivery, Request
from tests import factories as f
from tests.outreach.matrix import objects as outreach_objects
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


def test_returned_report_reaches_the_school_in_app_and_by_smtp(client, world, make_activity, smtp,
                                                               django_capture_on_commit_callbacks):
    activity = make_activity(status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.return_for_changes(actor=Actor(user=world.kirov_edu), activity=activity,
                                             comment="Приложите ссылку на новость.")
    n = Notification.objects.get(user=world.school_rep, kind="report_returned")
    assert n.email == Notification.Email.SENT
    assert n.emailed_at
    [message] = [m for m in smtp.messages if m["To"] == "school@example.ru"]
    assert "Отчёт возвращён на доработку" in str(message["Subject"])
    body = smtp.bodies()[smtp.messages.index(message)]
    assert "Приложите ссылку на новость." in body
    assert f"/activities/{activity.pk}/report/" in body
    assert message["Message-ID"].startswith(f"<notification.{n.pk}@")  # stable: the same on a resend
    client.force_login(world.school_rep)
    assert ">1<" in client.get(reverse("notification_badge")).content.decode()
    # Nobody else is told; the business coordinator's people see nothing.
    assert not Notification.objects.exclude(user=world.school_rep).filter(kind="report_returned").exists()


def test_an_event_is_told_once_and_a_rerun_sends_nothing(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(users=[world.school_rep], kind="report_approved", key="k1", title="Отчёт принят")
        again = services.notify(users=[world.school_rep], kind="report_approved", key="k1", title="Отчёт принят")
    assert len(first) == 1
    assert again == []
    assert sending.send_queued() == (0, 0)  # nothing left queued: the rerun mails nobody
    assert smtp.count_to() == {"school@example.ru": 1}


def test_refused_address_is_recorded_with_the_reason(world, smtp, django_capture_on_commit_callbacks):
    smtp.refuse.add("school@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[world.school_rep], kind="report_approved", key="k2", title="Отчёт принят")
    n = Notification.objects.get(key="k2")
    assert n.email == Notification.Email.FAILED
    assert "550" in n.email_error


def test_a_claim_left_by_a_dead_worker_becomes_unknown_and_is_not_resent(world, smtp):
    services.notify(users=[world.school_rep], kind="report_approved", key="k3", title="Отчёт принят")
    n = Notification.objects.get(key="k3")
    Notification.objects.filter(pk=n.pk).update(email=Notification.Email.SENDING,
                                                emailed_at=timezone.now() - dt.timedelta(hours=1))
    assert sending.mark_lost() == 1
    assert sending.send_queued() == (0, 0)
    assert smtp.messages == []
    assert Notification.objects.get(pk=n.pk).email == Notification.Email.UNKNOWN


def test_email_can_be_switched_off_per_kind(client, world, smtp, django_capture_on_commit_callbacks):
    client.force_login(world.school_rep)
    response = client.post(reverse("notification_settings"), {"email_on": ["report_approved"]})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[world.school_rep], kind="report_returned", key="off", title="Возвращён")
        services.notify(users=[world.school_rep], kind="report_approved", key="on", title="Принят")
    assert Notification.objects.get(key="off").email == Notification.Email.OFF
    assert [str(m["Subject"]) for m in smtp.messages] == ["Принят — Неделя качества"]


def test_digest_is_for_coordinators_and_goes_once_a_day(client, world, smtp, django_capture_on_commit_callbacks):
    client.force_login(world.school_rep)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "daily_digest" not in page
    client.force_login(world.kirov_edu)
    assert client.post(reverse("notification_settings"), {"email_on": ["invitation_accepted"], "daily_digest": "on"}
                       ).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[world.kirov_edu], kind="invitation_accepted", key="d1", title="Приглашение № 1")
        services.notify(users=[world.kirov_edu], kind="invitation_accepted", key="d2", title="Приглашение № 2")
    assert smtp.messages == []  # no single letters: they wait for the digest
    assert sending.send_digests() == 1
    assert sending.send_digests() == 0  # a second run the same day sends nothing
    [message] = smtp.messages
    assert "Сводка уведомлений" in str(message["Subject"])
    assert "Приглашение № 1" in smtp.bodies()[0]
    assert "Приглашение № 2" in smtp.bodies()[0]
    assert Digest.objects.get().status == Digest.Status.SENT


def test_deadline_reminders_go_seven_and_one_day_before_once_each(world, campaign, make_activity, smtp):
    make_activity(status="planned")
    deadline_end = world.kirov_school.region.end_of_day(campaign.deadline_for(world.kirov_school.region))
    seven = deadline_end - dt.timedelta(days=7, hours=2)
    assert services.remind_deadlines(now=seven) >= 2  # the school's representative and both Kirov coordinators
    assert services.remind_deadlines(now=seven) == 0  # idempotent: a second run tells nobody
    kinds = set(Notification.objects.filter(user=world.school_rep).values_list("kind", flat=True))
    assert kinds == {"deadline_7"}
    n = Notification.objects.get(user=world.school_rep, kind="deadline_7")
    assert n.title.startswith("До срока отчёта 7\u00a0дней")
    one = deadline_end - dt.timedelta(days=1, hours=2)
    services.remind_deadlines(now=one)
    assert Notification.objects.get(user=world.school_rep, kind="deadline_1").title.startswith(
        "До срока отчёта 1\u00a0день")
    assert not Notification.objects.filter(user=world.company_rep).exists()  # nothing open there
    assert sending.send_queued()[0] >= 2
    assert smtp.count_to()["school@example.ru"] == 2


def test_organisation_approval_is_in_app_only_the_service_mails_it(world, django_capture_on_commit_callbacks,
                                                                   mailoutbox):
    org = f.organisation("43", name="МБОУ Лицей № 21", status=Organisation.Status.PENDING)
    rep = f.user("org_rep", org=org, email="lyceum@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        directory_services.approve_organisation(actor=Actor(user=world.kirov_edu), organisation=org)
    n = Notification.objects.get(user=rep)
    assert n.kind == "organisation_approved"
    assert n.email == Notification.Email.NONE
    assert [m.to for m in mailoutbox] == [["lyceum@example.ru"]]  # one letter: the directory's own


def test_rolled_back_transition_tells_nobody(world, make_activity):
    activity = make_activity(status="submitted")
    with pytest.raises(Exception, match="Напишите"):
        activity_services.return_for_changes(actor=Actor(user=world.kirov_edu), activity=activity, comment=" ")
    assert not Notification.objects.exists()


def test_read_marks_and_opens_the_link_and_a_foreign_one_is_404(client, world):
    [pk] = services.notify(users=[world.school_rep], kind="report_approved", key="r", title="Принят",
                           url="/cabinet/")
    client.force_login(world.teacher)
    assert client.post(reverse("notification_read", args=[pk])).status_code == 404
    client.force_login(world.school_rep)
    response = client.post(reverse("notification_read", args=[pk]))
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/"
    assert Notification.objects.get(pk=pk).read_at is not None
    assert ">1<" not in client.get(reverse("notification_badge")).content.decode()


# --- The other events, each through the service that performs the transition ------------------------

def test_accepted_invitation_tells_the_inviter(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = directory_services.invite(actor=Actor(user=world.kirov_edu), email="new.rep@example.ru",
                                             role="org_rep", organisation=world.kirov_school)
    with django_capture_on_commit_callbacks(execute=True):
        directory_services.accept_invitation(token=token, last_name="Петрова", first_name="Анна", patronymic="",
                                             password="Dlinnyj-Parol-2026", personal_data_consent=True)
    n = Notification.objects.get(user=world.kirov_edu, kind="invitation_accepted")
    assert n.title == "Приглашение принято: Петрова Анна"
    assert n.email == Notification.Email.SENT
    assert smtp.count_to()["kirov.edu@example.ru"] == 1


def test_returned_regional_report_tells_the_regions_coordinators(world, campaign, make_activity, smtp,
                                                                  django_capture_on_commit_callbacks):
    make_activity(status="approved")
    region = world.kirov_school.region
    with django_capture_on_commit_callbacks(execute=True):
        regional.start_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=region, sector="education")
        report = regional.submit_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=region,
                                        sector="education")
        regional.return_report(actor=Actor(user=world.operator), report=report, comment="Нет данных по районам.")
    [n] = Notification.objects.filter(kind="regional_report_returned")
    assert n.user == world.kirov_edu
    assert "Нет данных по районам." in n.body
    assert smtp.count_to() == {"kirov.edu@example.ru": 1}


def test_answered_request_tells_a_registered_requester_in_app(world, django_capture_on_commit_callbacks):
    request = Request.objects.create(name="Елена", email="School@Example.ru", topic=Request.Topic.MOCKUPS,
                                     message="Пришлите баннер.")
    with django_capture_on_commit_callbacks(execute=True):
        outreach_tasks.answer_request(actor=Actor(user=world.operator), request=request, body="Высылаем баннер.")
    n = Notification.objects.get(kind="request_answered")
    assert n.user == world.school_rep
    assert n.email == Notification.Email.NONE


def test_in_app_acknowledgement_from_the_cabinet(client, world, campaign):
    letter = outreach_objects(world)["letter"]  # a registered letter of the operator
    delivery = Delivery.objects.create(letter=letter, organisation=world.kirov_school, email="s@example.ru",
                                       addressee="Директору", salutation="Уважаемый директор!",
                                       status=Delivery.Status.SENT, sent_at=timezone.now())
    client.force_login(world.school_rep)
    assert "Ознакомлен" in client.get(reverse("cabinet")).content.decode()
    response = client.post(reverse("cabinet_acknowledge", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACKNOWLEDGED
    assert delivery.acknowledged_at
    assert client.post(reverse("cabinet_acknowledge", args=[delivery.pk])).status_code == 404  # done: gone
    client.force_login(world.company_rep)
    other = Delivery.objects.create(letter=letter, organisation=world.moscow_school, email="m@example.ru",
                                    addressee="Директору", salutation="Уважаемый директор!",
                                    status=Delivery.Status.SENT, sent_at=timezone.now())
    assert client.post(reverse("cabinet_acknowledge", args=[other.pk])).status_code == 404


def test_a_failing_handler_is_undone_alone_and_the_return_stands(world, make_activity, monkeypatch, caplog):
    from qualityweek.activities.models import Activity
    from qualityweek.core import events

    def broken(**payload):
        Notification.objects.create(user=world.school_rep, kind="report_returned", title="половина записи",
                                    key="broken-handler")
        raise RuntimeError("notification store is down")

    monkeypatch.setitem(events._handlers, "activity.returned",
                        [broken, *events._handlers.get("activity.returned", [])])
    activity = make_activity(status="submitted")
    activity_services.return_for_changes(actor=Actor(user=world.kirov_edu), activity=activity,
                                         comment="Приложите ссылку на новость.")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.RETURNED  # the coordinator's decision is not lost
    assert not Notification.objects.filter(key="broken-handler").exists()  # its half-write is undone
    assert Notification.objects.filter(user=world.school_rep, kind="report_returned").count() == 1
    assert "notification store is down" in caplog.text


def test_approved_report_reaches_the_school_by_smtp(world, make_activity, smtp, django_capture_on_commit_callbacks):
    activity = make_activity(status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.approve(actor=Actor(user=world.kirov_edu), activity=activity)
    n = Notification.objects.get(user=world.school_rep, kind="report_approved")
    assert n.email == Notification.Email.SENT
    assert smtp.count_to()["school@example.ru"] == 1
    assert "Отчёт принят" in str(smtp.messages[0]["Subject"])


def test_organisation_rejection_is_in_app_only_the_service_mails_it(world, django_capture_on_commit_callbacks,
                                                                    mailoutbox):
    org = f.organisation("43", name="ООО Ромашка", status=Organisation.Status.PENDING)
    rep = f.user("org_rep", org=org, email="romashka@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        directory_services.reject_organisation(actor=Actor(user=world.kirov_edu), organisation=org,
                                               reason="Организация не из Кировской области.")
    n = Notification.objects.get(user=rep)
    assert n.kind == "organisation_rejected"
    assert "не из Кировской области" in n.body
    assert n.email == Notification.Email.NONE
    assert [m.to for m in mailoutbox] == [["romashka@example.ru"]]  # one letter: the directory's own


def test_a_delivered_letter_tells_the_authoritys_coordinator_in_app(world, campaign, smtp,
                                                                    django_capture_on_commit_callbacks):
    from qualityweek.outreach import services as outreach_services
    from qualityweek.outreach.models import Dispatch

    draft = outreach_objects(world)["draft"]
    letter = outreach_services.register_letter(actor=Actor(user=world.operator), letter=draft)
    with django_capture_on_commit_callbacks(execute=True):
        outreach_tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                                      audience=Dispatch.Audience.EDUCATION_AUTHORITIES)
    [n] = Notification.objects.filter(kind="letter_received")
    assert n.user == world.kirov_edu
    assert n.title.startswith(f"Новое письмо № {letter.reg_number}")
    assert n.email == Notification.Email.NONE  # the letter itself is the e-mail
    assert [m["To"] for m in smtp.messages] == [letter.deliveries.get().email]
