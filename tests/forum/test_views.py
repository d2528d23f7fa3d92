from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry, Job
from qualityweek.forum import services
from qualityweek.forum.models import Question, Registration, Ticket

from . import matrix
from .conftest import plenary

pytestmark = pytest.mark.django_db
S = Registration.Status


@pytest.fixture
def o(world):
    from django.utils import timezone

    from qualityweek.campaigns import services as campaign_services

    campaign_services.create_campaign(actor=Actor(user=world.operator), year=timezone.localdate().year,
                                      motto="Девиз", phase="running")
    return matrix.objects(world)


def test_kirov_coordinator_cannot_see_moscow_registrants(client, world, o):
    client.force_login(world.kirov_edu)
    assert client.post(reverse("forum_approve", args=[o["forum_moscow_pending"].pk])).status_code == 404
    page = client.get(reverse("forum_registrations", args=[o["forum"].pk])).content.decode()
    assert "pending@example.ru" not in page  # e-mails are not listed, names are
    assert page.count("Сидоров Пётр") == 2  # the two Kirov registrations, not Moscow's


def test_staff_of_one_forum_cannot_open_another(client, world, o):
    client.force_login(world.forum_staff)
    assert client.get(reverse("forum_checkin", args=[o["forum"].pk])).status_code == 200
    for name in ("forum_checkin", "forum_checkin_sync"):
        url = reverse(name, args=[o["other_forum"].pk])
        response = client.post(url) if name.endswith("sync") else client.get(url)
        assert response.status_code == 404


def test_registration_form_errors_are_russian_and_nothing_changes(client, world, o):
    url = reverse("forum_register", args=[o["forum_session"].pk])
    before = Registration.objects.count()
    page = client.post(url, {"name": "Анна", "email": "not-an-email", "venue": o["forum_session"].venue_id})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Введите правильный адрес электронной почты" in text
    assert "Без согласия на обработку персональных данных" in text
    page = client.post(url, {"name": "Анна", "email": "mine@example.ru", "venue": o["forum_session"].venue_id,
                             "consent": "on", "waitlist_ok": "on"})
    assert "уже зарегистрирован" in page.content.decode()
    assert Registration.objects.count() == before


def test_citizen_registers_and_the_seat_count_drops(client, world, o):
    session = o["forum_session"]
    free = plenary(o["forum"]).free
    response = client.post(reverse("forum_register", args=[session.pk]),
                           {"name": "Кузнецова Мария", "email": "maria@example.ru", "venue": session.venue_id,
                            "consent": "on", "waitlist_ok": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Подтверждена" in page
    assert "Код билета" in page
    assert plenary(o["forum"]).free == free - 1
    assert f"свободно {free - 1}" in client.get(reverse("forum_detail", args=[o["forum"].pk])).content.decode()


def test_check_in_page_refuses_a_second_scan(client, world, o):
    client.force_login(world.forum_staff)
    code = Ticket.objects.get(registration=o["forum_mine"]).code
    url = reverse("forum_checkin_scan", args=[o["forum"].pk])
    first = client.post(url, {"code": services.display_code(code)}).json()
    second = client.post(url, {"code": code.lower()}).json()
    assert first["ok"]
    assert first["name"] == "Сидоров Пётр"
    assert first["kind"] == "Индивидуальная"
    assert not second["ok"]
    assert "уже отмечен" in second["message"]
    assert second["first_at"]
    page = client.post(reverse("forum_checkin", args=[o["forum"].pk]), {"code": code}).content.decode()
    assert "Повторный вход" in page


def test_offline_list_and_sync(client, world, o):
    client.force_login(world.forum_staff)
    hall = o["forum_session"].venue
    data = client.get(reverse("forum_checkin_list", args=[o["forum"].pk, hall.pk])).json()
    codes = [t["code"] for t in data["tickets"]]
    assert Ticket.objects.get(registration=o["forum_mine"]).code in codes
    import json

    body = json.dumps({"checkins": [{"code": c, "at": "2026-11-10T10:00:00+03:00"} for c in codes] * 2})
    url = reverse("forum_checkin_sync", args=[o["forum"].pk])
    counts = client.post(url, body, content_type="application/json").json()
    assert counts == {"accepted": len(codes), "duplicate": len(codes), "refused": 0}
    assert client.post(url, "{broken", content_type="application/json").status_code == 400


def test_dashboard_and_export_with_every_answer(client, world, o, django_capture_on_commit_callbacks):
    forum = o["forum"]
    q = services.add_question(actor=Actor(user=world.operator), forum=forum, kind=Question.Kind.CHOICE,
                              label="Откуда вы узнали о форуме?", choices=["Письмо", "Сайт"], required=True)
    services.register(actor=Actor.public(None), forum=forum, session=plenary(forum), venue=plenary(forum).venue,
                      applicant=services.Applicant(name="Орлова Ольга", email="olga@example.ru",
                                                   answers={str(q.pk): "Сайт"}), consent=True, partners_consent=True)
    client.force_login(world.operator)
    page = client.get(reverse("forum_dashboard", args=[forum.pk])).content.decode()
    assert "Кировская область" in page or "Киров" in page
    assert client.get(reverse("forum_export", args=[forum.pk])).status_code == 405  # a job, never a GET
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("forum_export", args=[forum.pk]))
    job = Job.objects.get(kind="forum.export")
    assert started["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE
    assert job.total == job.done > 0
    assert "регистраци" in job.message
    assert AuditEntry.objects.filter(action="forum.export").exists()
    response = client.get(reverse("job_download", args=[job.pk]))
    body = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "Откуда вы узнали о форуме?"
    assert rows[0][-2] == "Участники делегации"
    olga = next(r for r in rows if r[1] == "Орлова Ольга")
    assert olga[-1] == "Сайт"
    assert olga[-3] == "да"
    client.force_login(world.kirov_edu)  # the job and its file are its owner's only
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_admin_shows_the_forum_read_only(client, world, o):
    client.force_login(world.operator)
    for url in ("/admin/forum/forum/", "/admin/forum/venue/", "/admin/forum/session/", "/admin/forum/registration/",
                f"/admin/forum/registration/{o['forum_mine'].pk}/change/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/forum/registration/add/").status_code == 403


def test_operator_creates_the_forum_of_a_campaign(client, world):
    from qualityweek.campaigns import services as campaign_services
    from qualityweek.forum.models import Forum

    campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=2031, motto="Девиз",
                                                 phase="draft")
    client.force_login(world.operator)
    url = reverse("forum_create")
    page = client.post(url, {"campaign": campaign.pk, "title": "Всемирный день качества — 2031",
                             "starts_on": "2031-11-12", "ends_on": "2031-11-10"})
    assert "Последний день не может быть раньше первого" in page.content.decode()
    assert not Forum.objects.exists()
    response = client.post(url, {"campaign": campaign.pk, "title": "Всемирный день качества — 2031",
                                 "starts_on": "2031-11-10", "ends_on": "2031-11-12"})
    forum = Forum.objects.get()
    assert response["Location"] == reverse("forum_manage", args=[forum.pk])
    client.force_login(world.kirov_edu)
    assert client.get(url).status_code == 403
