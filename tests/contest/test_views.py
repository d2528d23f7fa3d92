"""The contest's pages through the test client."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qualityweek.contest import services
from qualityweek.contest.models import Application, Contest, Reminder, Score
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from tests import factories as f

from . import helpers as h

S = Application.Status


@pytest.fixture
def contest(world):
    c = h.contest()
    h.point_juror(world, c)
    return c


@pytest.fixture
def nomination(contest):
    return h.nomination(contest)


def test_apply_shows_russian_errors_by_field_and_saves_nothing(client, world, nomination):
    client.force_login(world.company_rep)
    url = reverse("contest_apply", args=[nomination.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Практика", "f_summary": "Мало", "f_people": "-5", "f_scale": "Город",
                                 "f_report": SimpleUploadedFile("a.pdf", b"GIF89a....")}, )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Не короче 10 знаков" in html
    assert "Не меньше 1." in html
    assert "по содержимому" in html
    assert not Application.objects.exists()


def test_apply_draft_then_submit_and_see_it_in_my_applications(client, world, nomination):
    client.force_login(world.company_rep)
    data = {"title": "Дни открытых дверей", "f_summary": "Экскурсии на производство для школьников",
            "f_people": "300", "f_scale": "Город", "draft": "1"}
    response = client.post(reverse("contest_apply", args=[nomination.pk]), data)
    app = Application.objects.get()
    assert response.status_code == 302
    assert app.status == S.DRAFT
    response = client.post(reverse("contest_application_submit", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    page = client.get(reverse("contest_my")).content.decode()
    assert "Дни открытых дверей" in page
    assert "Подана" in page


def _review(world, nomination):
    Contest.objects.filter(pk=nomination.contest_id).update(phase=Contest.Phase.REGIONAL_REVIEW)
    return h.application(nomination, world.kirov_company, title="Хлеб без брака")


def test_a_juror_scores_from_the_queue_and_sees_the_progress(client, world, nomination):
    app = _review(world, nomination)
    client.force_login(world.juror)
    queue = client.get(reverse("contest_jury")).content.decode()
    assert "Оценено 0 из 1" in queue
    assert "Хлеб без брака" in queue
    first, second = nomination.criteria.all()
    response = client.post(reverse("contest_score", args=[app.pk]), {f"c_{first.pk}": "10", f"c_{second.pk}": "6"})
    assert response.status_code == 200
    assert "Для самой низкой или самой высокой оценки нужен комментарий." in response.content.decode()
    response = client.post(reverse("contest_score", args=[app.pk]),
                           {f"c_{first.pk}": "10", f"c_{second.pk}": "6", "comment": "Образцовая практика"})
    assert response.status_code == 302
    assert "Оценено 1 из 1" in client.get(reverse("contest_jury")).content.decode()


def test_blind_review_hides_the_applicant_from_the_juror(client, world, nomination):
    app = _review(world, nomination)
    Contest.objects.filter(pk=nomination.contest_id).update(blind_review=True)
    client.force_login(world.juror)
    page = client.get(reverse("contest_score", args=[app.pk])).content.decode()
    assert f"Заявка № {app.pk}" in page
    assert world.kirov_company.name not in page
    assert "Хлеб без брака" not in page


def test_other_jurors_scores_stay_hidden_until_the_chair_allows(client, world, nomination):
    app = _review(world, nomination)
    other = h.juror(nomination.contest)
    services.save_score(actor=Actor(user=other), application=app, values=h.values(3, 3, nomination),
                        comment="Секретный комментарий")
    client.force_login(world.juror)
    assert "Секретный комментарий" not in client.get(reverse("contest_score", args=[app.pk])).content.decode()
    Contest.objects.filter(pk=nomination.contest_id).update(jurors_see_scores=True)
    assert "Секретный комментарий" in client.get(reverse("contest_score", args=[app.pk])).content.decode()


def test_a_recused_juror_gets_404_everywhere(client, world, nomination):
    app = _review(world, nomination)
    services.declare_conflict(actor=Actor(user=world.operator), contest=nomination.contest, juror=world.juror,
                              organisation=world.kirov_company, reason="Место работы", kind="employer")
    client.force_login(world.juror)
    for name in ("contest_score", "contest_application"):
        assert client.get(reverse(name, args=[app.pk])).status_code == 404, name
    assert "Хлеб без брака" not in client.get(reverse("contest_jury")).content.decode()


def test_the_chair_sees_raw_and_normalised_side_by_side_and_confirms(client, world, nomination):
    contest = nomination.contest
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.REGIONAL_REVIEW)
    apps = [h.application(nomination, f.organisation("43", kind="service", sector="business", name=f"ООО «Фирма {i}»"),
                          title=f"Практика {i}") for i in range(6)]
    harsh, lenient = h.juror(contest), world.juror
    for i, app in enumerate(apps):
        services.save_score(actor=Actor(user=harsh), application=app, values=h.values(2 + i, 2 + i, nomination))
        services.save_score(actor=Actor(user=lenient), application=app, values=h.values(9 - (i % 2), 9, nomination))
    client.force_login(world.kirov_business)
    url = reverse("contest_ranking", args=[contest.year, nomination.pk, "regional", "43"])
    page = client.get(url).content.decode()
    assert "Сырой балл" in page
    assert "Нормированный" in page
    response = client.post(reverse("contest_confirm", args=[contest.year, nomination.pk, "regional", "43"]),
                           {"advance": [str(apps[5].pk), str(apps[4].pk)]})
    assert response.status_code == 302
    assert set(Application.objects.filter(status=S.ADVANCED).values_list("pk", flat=True)) == {apps[5].pk, apps[4].pk}
    response = client.post(reverse("contest_confirm", args=[contest.year, nomination.pk, "regional", "43"]),
                           {"advance": [str(apps[0].pk)]})
    assert response.status_code == 400
    assert "укажите причину" in response.content.decode()


def test_the_export_lists_every_jurors_score_and_comment(client, world, nomination, settings,
                                                        django_capture_on_commit_callbacks):
    app = _review(world, nomination)
    services.save_score(actor=Actor(user=world.juror), application=app, values=h.values(10, 5, nomination),
                        comment="=HYPERLINK(\"http://evil\")")
    client.force_login(world.kirov_edu)
    assert client.get(reverse("contest_export", args=[nomination.contest.year])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):  # the file is written by a job, not the request
        response = client.post(reverse("contest_export", args=[nomination.contest.year]))
    job = Job.objects.get(kind="contest.export")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    year = nomination.contest.year
    assert (job.status, job.owner, job.result_name) == ("done", world.kirov_edu, f"contest-{year}.xlsx")
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO((settings.MEDIA_ROOT / job.result_file).read_bytes()))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][9] == "Член жюри"
    assert rows[1][5] == "Хлеб без брака"
    assert rows[1][14] == "=HYPERLINK(\"http://evil\")"  # text, never a formula
    assert rows[1][11] == pytest.approx(100 * (2 * 1 + 4 / 9) / 3, abs=0.01)


def test_comments_reach_the_applicant_only_after_results_and_release(client, world, nomination):
    app = _review(world, nomination)
    Score.objects.create(application=app, juror=world.juror, round="regional", values={}, total=50,
                         comment="Добавьте измеримые результаты")
    client.force_login(world.company_rep)
    url = reverse("contest_application", args=[app.pk])
    assert "Добавьте измеримые результаты" not in client.get(url).content.decode()
    Contest.objects.filter(pk=nomination.contest_id).update(phase=Contest.Phase.REGIONAL_RESULTS)
    assert "Добавьте измеримые результаты" not in client.get(url).content.decode()
    Contest.objects.filter(pk=nomination.contest_id).update(release_comments=True)
    assert "Добавьте измеримые результаты" in client.get(url).content.decode()


def test_reminders_go_out_once_before_the_review_deadline(world, nomination, django_capture_on_commit_callbacks):
    contest = nomination.contest
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.REGIONAL_REVIEW)
    h.application(nomination, world.kirov_company)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_reminders(actor=Actor(user=world.operator))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.message == "Напоминаний отправлено: 0."
    day = contest.regional_review_until - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(actor=Actor.system(), today=day) == 1
    assert [m.to for m in mail.outbox] == [[world.juror.email]]
    assert "осталось оценить 1 из 1" in mail.outbox[0].subject
    assert services.send_reminders(actor=Actor.system(), today=day) == 0
    assert Reminder.objects.filter(juror=world.juror).count() == 1


def test_the_operator_creates_a_contest_and_configures_a_nomination(client, world):
    campaign = h.campaign()
    client.force_login(world.operator)
    response = client.post(reverse("contest_create"), {
        "year": campaign.year, "title": "Лидер качества", "applications_open": "2026-03-01",
        "applications_close": "2026-02-01", "regional_review_until": "2026-05-01",
        "regional_results_on": "2026-05-10", "national_review_until": "2026-06-01", "results_on": "2026-06-10"})
    assert response.status_code == 200
    assert "должны идти по порядку" in response.content.decode()
    response = client.post(reverse("contest_create"), {
        "year": campaign.year, "title": "Лидер качества", "applications_open": "2026-03-01",
        "applications_close": "2026-04-01", "regional_review_until": "2026-05-01",
        "regional_results_on": "2026-05-10", "national_review_until": "2026-06-01", "results_on": "2026-06-10"})
    assert response.status_code == 302
    contest = Contest.objects.get()
    url = reverse("contest_nomination_create", args=[contest.year])
    bad = client.post(url, {"title": "Школа качества",
                            "questions": "Описание; текст; да; 50-3000\nМасштаб; выбор; да; Город",
                            "criteria": "Системность; десять; 1-10"})
    html = bad.content.decode()
    assert "Строка 2: перечислите варианты" in html
    assert "Строка 1: вес — целое число" in html
    assert not contest.nominations.exists()
    good = client.post(url, {"title": "Школа качества", "sectors": ["education"], "for_person": "",
                             "questions": "Описание; текст; да; 50-3000\nМасштаб; выбор; да; Город/Регион\n"
                                          "Презентация; файл; нет; 5",
                             "criteria": "Системность; 2; 1-10\nМатериалы"})
    assert good.status_code == 302
    n = contest.nominations.get()
    assert n.sectors == ["education"]
    assert [(f.kind, f.required) for f in n.fields.all()] == [("text", True), ("choice", True), ("file", False)]
    assert n.fields.get(kind="file").max_size_mb == 5
    criteria = [(c.title, c.weight, c.scale_max) for c in n.criteria.all()]
    assert criteria == [("Системность", 2, 10), ("Материалы", 1, 10)]
