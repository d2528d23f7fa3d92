"""The export job through the real django-tasks-db backend and its worker command."""

import io

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from qualityweek.core.models import Job
from tests import factories as f


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def rows_of(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_job_runs_in_the_worker_and_is_scoped(client, world, db_tasks):
    f.organisation("43", name="=HYPERLINK(\"http://evil\")")
    client.force_login(world.kirov_edu)
    response = client.post("/directory/organisations/export/", {"q": ""})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.QUEUED
    assert job.task_result_id
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "В очереди" in page
    assert 'hx-trigger="every 1s"' in page

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.done == job.total == 2
    fragment = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "Готово" in fragment
    assert "hx-trigger" not in fragment
    download = client.get(f"/jobs/{job.pk}/download/")
    rows = rows_of(b"".join(download.streaming_content))
    assert rows[0][:3] == ["Регион", "Код региона", "Название"]
    names = sorted(r[2] for r in rows[1:])
    assert names == sorted([world.kirov_school.name, '=HYPERLINK("http://evil")'])  # text, not a formula
    # Nobody else may see or download another person's job.
    client.force_login(world.operator)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_job_is_reported(client, world, db_tasks, monkeypatch):
    from qualityweek.directory import tasks

    def boom(**kwargs):
        raise OSError("диск заполнен")

    monkeypatch.setattr(tasks, "write_organisations_xlsx", boom)
    client.force_login(world.operator)
    client.post("/directory/organisations/export/")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "диск заполнен" in job.message
    assert "Ошибка" in client.get(f"/jobs/{job.pk}/").content.decode()
