"""The whole import flow through the views: upload -> validation job -> preview -> import or cancel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualityweek.activities.imports import cells, headers, workbook
from qualityweek.activities.imports import services as imports
from qualityweek.activities.models import Activity, ActivityEvent, ImportBatch
from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry, Job

from .files import HEADERS, csv_bytes, not_a_zip_xlsx, row, xlsx, zip_bomb

B = ImportBatch.Status


def good(world, campaign, **over):
    values = dict(inn=world.kirov_school.inn, type="Урок качества", title="Урок качества",
                  starts_on=campaign.quality_day, pupils_5_9=75, teachers=3,
                  links="https://school1.example.ru/news/1", description="Провели урок для трёх классов.")
    return row(**(values | over))


def ten_rows_two_bad(world, campaign):
    rows = [HEADERS] + [good(world, campaign, title=f"Урок качества, {i + 5} класс") for i in range(10)]
    rows[3] = good(world, campaign, title="Квиз", type="Квиз про Знак качества")  # unknown type, row 4
    rows[7] = good(world, campaign, title="Скрытый", inn=world.moscow_school.inn)  # foreign region, row 8
    return rows


def upload(client, data: bytes, name: str = "отчёт.xlsx", capture=None):
    with capture(execute=True):
        return client.post(reverse("activity_import"), {"file": SimpleUploadedFile(name, data)})


def confirm(client, batch, capture):
    with capture(execute=True):
        return client.post(reverse("activity_import_confirm", args=[batch.pk]))


@pytest.fixture
def coordinator(client, world, campaign):
    client.force_login(world.kirov_edu)
    return client


def test_ten_rows_two_bad_then_import_eight_then_reupload(coordinator, world, campaign,
                                                           django_capture_on_commit_callbacks):
    client = coordinator
    response = upload(client, xlsx(ten_rows_two_bad(world, campaign)), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("activity_import_detail", args=[batch.pk])
    assert batch.status == B.PREVIEW
    assert batch.job.status == Job.Status.DONE
    assert (batch.rows_total, batch.rows_valid, batch.already_present) == (10, 8, 0)
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, "Тип мероприятия"), (8, "ИНН организации")]
    assert not Activity.objects.exists()  # nothing before the coordinator confirms

    page = client.get(reverse("activity_import_detail", args=[batch.pk])).content.decode()
    assert "Квиз про Знак качества" in page
    assert "относится к региону «Москва»" in page
    assert "Импортировать 8 строк без ошибок" in page
    assert re.search(r"<td class=\"num\">4</td><td>Тип мероприятия</td><td>C4</td>", page)

    response = confirm(client, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == B.DONE
    assert (batch.imported, batch.already_present) == (8, 0)
    created = Activity.objects.all()
    assert created.count() == 8
    assert {a.status for a in created} == {Activity.Status.SUBMITTED}
    assert {a.source for a in created} == {Activity.Source.IMPORT}
    assert {a.created_by_id for a in created} == {world.kirov_edu.pk}
    assert {a.organisation_id for a in created} == {world.kirov_school.pk}
    assert all(a.import_key and a.submitted_at and a.pupils_5_9 == 75 for a in created)
    assert ActivityEvent.objects.filter(to_status="submitted", activity__in=created).count() == 8
    # Every column lands where it belongs (the PostgreSQL COPY path and bulk_create write the same).
    one = Activity.objects.select_related("type").get(title="Урок качества, 5 класс")
    assert (one.type.code, one.format, one.is_public, one.teachers, one.pupils_1_4) == (
        "quality_lesson", "in_person", False, 3, 0)
    assert one.links == ["https://school1.example.ru/news/1"]
    assert one.description.startswith("Провели урок")
    assert one.starts_on == one.ends_on == campaign.quality_day
    assert one.region_id == world.kirov_school.region_id
    assert one.sector == "education"
    assert one.created_at
    assert one.updated_at
    assert not one.is_late
    event = one.events.get()
    assert event.actor_id == world.kirov_edu.pk
    assert event.at
    assert "отчёт.xlsx" in event.comment
    assert AuditEntry.objects.filter(action="activity_import.done", object_id=str(batch.pk)).exists()
    assert "Импортировано: 8" in client.get(reverse("activity_import_detail", args=[batch.pk])).content.decode()
    # The organisation sees its imported reports; the other region's coordinator does not.
    assert Activity.objects.visible_to(world.school_rep).count() == 8
    assert Activity.objects.visible_to(world.moscow_edu).count() == 0

    # The same file again: everything valid is already there, nothing is created twice.
    upload(client, xlsx(ten_rows_two_bad(world, campaign)), capture=django_capture_on_commit_callbacks)
    again = ImportBatch.objects.latest("created_at")
    assert (again.rows_valid, again.already_present) == (8, 8)
    assert "из них 8 уже есть в системе" in client.get(
        reverse("activity_import_detail", args=[again.pk])).content.decode()
    confirm(client, again, django_capture_on_commit_callbacks)
    again.refresh_from_db()
    assert again.status == B.DONE
    assert (again.imported, again.already_present) == (0, 8)
    assert Activity.objects.count() == 8

    # An overlapping file (a CSV this time, titles spaced differently): only the new row is created.
    rows = [HEADERS, good(world, campaign, title="  урок качества, 5 КЛАСС "),
            good(world, campaign, title="Новый урок")]
    upload(client, csv_bytes(rows, encoding="cp1251"), name="добавка.csv", capture=django_capture_on_commit_callbacks)
    third = ImportBatch.objects.latest("created_at")
    confirm(client, third, django_capture_on_commit_callbacks)
    third.refresh_from_db()
    assert (third.imported, third.already_present) == (1, 1)
    assert Activity.objects.count() == 9


def test_cancel_imports_nothing_and_removes_the_files(coordinator, world, campaign,
                                                      django_capture_on_commit_callbacks):
    upload(coordinator, xlsx([HEADERS, good(world, campaign)]), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert files.exists(batch.file)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(reverse("activity_import_cancel", args=[batch.pk]))
    assert response["Location"] == reverse("activity_import")
    batch.refresh_from_db()
    assert batch.status == B.CANCELLED
    assert not files.exists(batch.file)
    # A cancelled batch cannot be imported afterwards.
    confirm(coordinator, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == B.CANCELLED
    assert not Activity.objects.exists()


def test_double_confirm_imports_once(world, campaign, django_capture_on_commit_callbacks):
    data = xlsx([HEADERS, good(world, campaign), good(world, campaign, title="Второй урок")])
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.start_import(actor=Actor(user=world.kirov_edu), region=world.kirov_school.region,
                                     sector="education", file_name="a.xlsx", data=data)
    batch.refresh_from_db()
    actor = Actor(user=world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True):
        imports.confirm_import(actor=actor, batch=batch)
        imports.confirm_import(actor=actor, batch=batch)
    assert Activity.objects.count() == 2
    assert Job.objects.filter(kind="activities.import_run").count() == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("отчёт.xlsx", not_a_zip_xlsx(), "не книга Excel"),
    ("bomb.xlsx", zip_bomb(300), "распакованном виде"),
    ("пусто.csv", b"", "файл пуст"),
])
def test_unusable_upload_is_refused_in_the_form(coordinator, name, data, message,
                                               django_capture_on_commit_callbacks):
    response = upload(coordinator, data, name=name, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not Job.objects.exists()


def test_oversized_upload_is_refused(coordinator, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(workbook, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    response = upload(coordinator, b"a;b\n" * 600_000, name="big.csv", capture=django_capture_on_commit_callbacks)
    assert "Файл больше 2 МБ" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(("rows_or_data", "message"), [
    ("wrong_headers", "Не найдена строка заголовков"),
    ("merged", "объединённые ячейки"),
])
def test_file_level_problems_fail_the_batch_with_a_message(coordinator, world, campaign, rows_or_data, message,
                                                          django_capture_on_commit_callbacks):
    if rows_or_data == "wrong_headers":
        data = xlsx([["Фамилия", "Имя"], ["Иванов", "Иван"]])
    else:
        data = xlsx([HEADERS, good(world, campaign, title="A"), good(world, campaign, title="B")], merge=["B2:B3"])
    upload(coordinator, data, capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.status == B.FAILED
    page = coordinator.get(reverse("activity_import_detail", args=[batch.pk])).content.decode()
    assert message in page
    assert "ничего не импортировано" in page
    assert "Импортировать" not in page
    assert not Activity.objects.exists()


def test_scoping_a_kirov_education_file_never_imports_moscow_or_business(coordinator, world, campaign,
                                                                         django_capture_on_commit_callbacks):
    rows = [HEADERS, good(world, campaign, inn=world.moscow_school.inn),
            good(world, campaign, inn="", organisation=world.kirov_company.name),
            good(world, campaign, inn=world.kirov_company.inn)]
    upload(coordinator, xlsx(rows), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.rows_valid == 0
    assert [(e["row"], e["column"]) for e in batch.errors] == [
        (2, "ИНН организации"), (3, "Организация"), (4, "ИНН организации")]
    page = coordinator.get(reverse("activity_import_detail", args=[batch.pk])).content.decode()
    assert "Строк без ошибок нет" in page
    assert "Импортировать" not in page
    confirm(coordinator, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == B.PREVIEW
    assert not Activity.objects.exists()


def test_a_coordinator_cannot_import_into_a_foreign_scope(world, campaign):
    from django.core.exceptions import PermissionDenied

    data = xlsx([HEADERS, good(world, campaign)])
    with pytest.raises(PermissionDenied):
        imports.start_import(actor=Actor(user=world.kirov_edu), region=world.moscow_school.region,
                             sector="education", file_name="a.xlsx", data=data)
    with pytest.raises(PermissionDenied):
        imports.start_import(actor=Actor(user=world.school_rep), region=world.kirov_school.region,
                             sector="education", file_name="a.xlsx", data=data)


def test_other_people_cannot_see_or_touch_a_batch(client, world, campaign, django_capture_on_commit_callbacks):
    client.force_login(world.kirov_edu)
    upload(client, xlsx([HEADERS, good(world, campaign)]), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    for user in (world.moscow_edu, world.kirov_business, world.operator, world.school_rep):
        client.force_login(user)
        assert client.get(reverse("activity_import_detail", args=[batch.pk])).status_code == 404
        assert client.post(reverse("activity_import_confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == B.PREVIEW


def test_upload_page_and_template(coordinator, world, campaign):
    page = coordinator.get(reverse("activity_import")).content.decode()
    assert "Скачать шаблон XLSX" in page
    assert 'enctype="multipart/form-data"' in page
    response = coordinator.get(reverse("activity_import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["Мероприятия", "Типы мероприятий"]
    rows = book.get_sheet_by_name("Мероприятия").to_python()
    assert rows[0] == HEADERS
    assert len(rows) == 2
    types = [r[0] for r in book.get_sheet_by_name("Типы мероприятий").to_python()[1:] if r[1]]
    assert "Урок качества" in types
    assert "День открытых дверей" in types
    # The template's own example row passes the header matching and date parsing.
    hmap = headers.match_headers(rows)
    assert cells.parse_date(rows[1][hmap.index["starts_on"]]) == campaign.quality_day


def test_template_round_trip_imports(coordinator, world, campaign, django_capture_on_commit_callbacks):
    """Fill the downloaded template the way a school would and upload it unchanged otherwise."""
    import io

    from python_calamine import CalamineWorkbook

    content = coordinator.get(reverse("activity_import_template")).content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Мероприятия").to_python()
    rows[1][0] = world.kirov_school.inn
    rows[1][4] = rows[1][5] = campaign.quality_day
    upload(coordinator, xlsx(rows), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.rows_valid == 1, batch.errors


def test_import_after_the_deadline_is_flagged_late(world, campaign, django_capture_on_commit_callbacks):
    from qualityweek.campaigns.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(report_deadline=campaign.week_end + dt.timedelta(days=1))
    data = xlsx([HEADERS, good(world, campaign)])
    actor = Actor(user=world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True):
        batch = imports.start_import(actor=actor, region=world.kirov_school.region, sector="education",
                                     file_name="a.xlsx", data=data)
    with django_capture_on_commit_callbacks(execute=True):
        imports.confirm_import(actor=actor, batch=batch)
    assert Activity.objects.get().is_late


def test_closed_submissions_refuse_the_upload(coordinator, world, campaign, django_capture_on_commit_callbacks):
    from qualityweek.campaigns.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(submissions_closed=True)
    response = upload(coordinator, xlsx([HEADERS, good(world, campaign)]), capture=django_capture_on_commit_callbacks)
    assert "закрыт оператором" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_progress_fragment_polls_while_busy(coordinator, world, campaign):
    data = xlsx([HEADERS, good(world, campaign)])
    batch = imports.start_import(actor=Actor(user=world.kirov_edu), region=world.kirov_school.region,
                                 sector="education", file_name="a.xlsx", data=data)  # job not run yet
    fragment = coordinator.get(reverse("activity_import_detail", args=[batch.pk]), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'hx-trigger="every 1s"' in body
    assert "<progress" in body


def test_unexpected_failure_marks_the_batch_failed(world, campaign, monkeypatch, django_capture_on_commit_callbacks):
    def boom(*args, **kwargs):
        raise OSError("диск заполнен")

    monkeypatch.setattr(imports.workbook, "read_sheet", boom)
    data = xlsx([HEADERS, good(world, campaign)])
    with django_capture_on_commit_callbacks(execute=True):  # the task fails; the request does not
        imports.start_import(actor=Actor(user=world.kirov_edu), region=world.kirov_school.region,
                             sector="education", file_name="a.xlsx", data=data)
    batch = ImportBatch.objects.get()
    assert batch.status == B.FAILED
    assert "внутренней ошибки" in batch.errors[0]["message"]
    assert batch.job.status == Job.Status.FAILED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_through_the_real_job_worker(client, world, campaign, settings):
    """Both jobs through django-tasks-db and its worker command, as in production."""
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client.force_login(world.kirov_edu)
    client.post(reverse("activity_import"), {"file": SimpleUploadedFile(
        "отчёт.xlsx", xlsx(ten_rows_two_bad(world, campaign)))})
    batch = ImportBatch.objects.get()
    assert batch.status == B.VALIDATING
    assert batch.job.status == Job.Status.QUEUED
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == B.PREVIEW, batch.errors
    assert batch.rows_valid == 8, batch.errors
    client.post(reverse("activity_import_confirm", args=[batch.pk]))
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == B.DONE
    assert batch.imported == 8
    assert batch.job.status == Job.Status.DONE
    assert Activity.objects.filter(source="import").count() == 8


def _killed(batch) -> None:
    """What a worker killed mid-job leaves behind: a running job whose heartbeat went quiet."""
    from django.utils import timezone

    Job.objects.filter(pk=batch.job_id).update(status=Job.Status.RUNNING,
                                               heartbeat_at=timezone.now() - dt.timedelta(hours=1))


def test_a_batch_whose_worker_died_is_taken_up_again_and_imports_each_row_once(
        coordinator, world, campaign, django_capture_on_commit_callbacks):
    from qualityweek.core import jobs

    data = xlsx([HEADERS, good(world, campaign), good(world, campaign, title="Второй урок")])
    batch = imports.start_import(actor=Actor(user=world.kirov_edu), region=world.kirov_school.region,
                                 sector="education", file_name="a.xlsx", data=data)  # the job never ran
    _killed(batch)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.reap_expired_jobs()  # validation is safe to repeat: queued again and run
    batch.refresh_from_db()
    assert batch.status == B.PREVIEW
    assert batch.job.attempts == 2
    confirm(coordinator, batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == B.DONE
    assert Activity.objects.count() == 2


def test_a_stuck_batch_can_be_retried_or_cancelled_by_its_uploader(
        client, coordinator, world, campaign, django_capture_on_commit_callbacks):
    data = xlsx([HEADERS, good(world, campaign)])
    stuck = []
    for name in ("a.xlsx", "b.xlsx"):
        batch = imports.start_import(actor=Actor(user=world.kirov_edu), region=world.kirov_school.region,
                                     sector="education", file_name=name, data=data)
        Job.objects.filter(pk=batch.job_id).update(status=Job.Status.INTERRUPTED, message="работа прервана")
        stuck.append(batch)
    page = coordinator.get(reverse("activity_import_detail", args=[stuck[0].pk])).content.decode()
    assert "Обработка файла прервалась" in page
    assert "Повторить" in page
    assert "every 1s" not in page  # no endless polling of a job that will never finish
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(reverse("activity_import_retry", args=[stuck[0].pk]))
    assert response.status_code == 302
    stuck[0].refresh_from_db()
    assert stuck[0].status == B.PREVIEW
    response = coordinator.post(reverse("activity_import_cancel", args=[stuck[1].pk]))
    stuck[1].refresh_from_db()
    assert stuck[1].status == B.CANCELLED
    assert stuck[1].job.status == Job.Status.CANCELLED  # the reaper will not take it up again
    # Someone else's batch: not even visible.
    client.force_login(world.moscow_edu)
    assert client.post(reverse("activity_import_retry", args=[stuck[0].pk])).status_code == 404
