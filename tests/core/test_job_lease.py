"""Leases of running jobs: the reaper takes over a job whose worker went silent (queued again when its
task is idempotent, interrupted otherwise), the page tells the truth, the owner retries or cancels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qualityweek.core import jobs
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry, Job

IDEMPOTENT = "qualityweek.outreach.tasks.render_chunk_task"
NOT_IDEMPOTENT = "qualityweek.directory.tasks.export_organisations_task"  # not declared: not idempotent


def running(owner, task_path: str, *, silent_for: int, attempts: int = 1) -> Job:
    return Job.objects.create(owner=owner, kind="test", title="Рассылка", status=Job.Status.RUNNING,
                              task_path=task_path, task_kwargs=[{"reply_id": 0}], attempts=attempts,
                              heartbeat_at=timezone.now() - dt.timedelta(seconds=silent_for))


def test_the_reaper_interrupts_a_silent_job_and_requeues_an_idempotent_one(world, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.JOB_LEASE_SECONDS = 60
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    alive = running(world.operator, NOT_IDEMPOTENT, silent_for=10)
    dead = running(world.operator, NOT_IDEMPOTENT, silent_for=120)
    dead_idempotent = running(world.operator, IDEMPOTENT, silent_for=120)
    worn_out = running(world.operator, IDEMPOTENT, silent_for=120, attempts=settings.JOB_MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.reap_expired_jobs() == {"requeued": 1, "interrupted": 2}
    for job in (alive, dead, dead_idempotent, worn_out):
        job.refresh_from_db()
    assert alive.status == Job.Status.RUNNING
    assert dead.status == Job.Status.INTERRUPTED
    assert dead.finished_at
    assert "прервалась" in dead.message
    assert dead_idempotent.status == Job.Status.QUEUED
    assert dead_idempotent.attempts == 2
    assert worn_out.status == Job.Status.INTERRUPTED
    assert jobs.reap_expired_jobs() == {"requeued": 0, "interrupted": 0}  # once


def test_a_worker_that_was_given_up_on_writes_nothing(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    job = Job.objects.create(owner=world.operator, kind="test", title="Выгрузка", task_path=IDEMPOTENT,
                             task_kwargs=[{}])
    with pytest.raises(jobs.JobStopped), jobs.running_job(str(job.pk)) as progress:  # noqa: PT012 - the step inside the run raises
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
        jobs.reap_expired_jobs()  # attempt 2 is queued: attempt 1 is a zombie now
        progress.step(1, 1, "ещё работаю")
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.attempts == 2
    assert job.done == 0


def test_a_cancelled_job_stops_at_its_next_step_and_a_queued_one_never_starts(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    job = Job.objects.create(owner=world.operator, kind="test", title="Выгрузка", task_path=IDEMPOTENT,
                             task_kwargs=[{}])
    with pytest.raises(jobs.JobStopped), jobs.running_job(str(job.pk)) as progress:  # noqa: PT012 - the step inside the run raises
        jobs.cancel_job(actor=Actor(user=world.operator), job=job)
        progress.step(1, 1)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.done == 0
    queued = Job.objects.create(owner=world.operator, kind="test", title="Выгрузка", task_path=IDEMPOTENT)
    jobs.cancel_job(actor=Actor(user=world.operator), job=queued)
    with pytest.raises(jobs.JobStopped), jobs.running_job(str(queued.pk)):
        pytest.fail("a cancelled job must not run")


def test_the_owner_sees_interrupted_and_retries_or_cancels(client, world, settings,
                                                           django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    job = running(world.kirov_edu, NOT_IDEMPOTENT, silent_for=3600)
    client.force_login(world.kirov_edu)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    # Before the reaper came by: not «продолжит выполняться», the truth.
    assert "Прервано" in page
    assert "продолжит выполняться" not in page
    assert "Отменить" in page

    jobs.reap_expired_jobs()
    page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "Прервано" in page
    assert "Повторить" in page
    assert "Отменить" in page
    assert "hx-trigger" not in page

    # Somebody else's job is a 404, whatever they post.
    client.force_login(world.operator)
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404

    client.force_login(world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.attempts == 2
    assert len(callbacks) == 1
    assert AuditEntry.objects.filter(action="job.retry", object_id=str(job.pk)).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Повторить" not in page
    assert "Отменить" in page

    client.post(f"/jobs/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Отменено" in page
    assert "Повторить" in page
    assert "Отменить" not in page
    # A second cancel changes nothing and says why.
    response = client.post(f"/jobs/{job.pk}/cancel/", follow=True)
    assert "уже нельзя отменить" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
