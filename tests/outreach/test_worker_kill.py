"""Real `run_worker` processes (db_worker plus the reaper) killed with SIGKILL mid-job: one in the
middle of a letter dispatch (the SMTP sink holds its reply to the third message), one in the middle
of an organisation export (paused at a progress call). Then the reaper and the retry: nothing stays
«running», the dispatch completes and every addressee has exactly one letter."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from qualityweek.core import jobs
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from qualityweek.directory.models import Organisation
from qualityweek.outreach import tasks
from qualityweek.outreach.models import Delivery, Dispatch

ROOT = Path(__file__).resolve().parents[2]
WITH_EMAIL = ["43", "16", "77", "78", "66"]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, what: str, seconds: float = 120) -> None:
    """Poll until ``condition()`` holds (a wait for the other process, not a timing assert)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what}")
        time.sleep(0.05)


def is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_workers_leave_nothing_running_and_the_dispatch_completes_once(
        client, world, authorities, make_letter, smtp, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.JOB_LEASE_SECONDS = 2
    Organisation.objects.filter(authority="education").exclude(region__code__in=WITH_EMAIL).update(email="")
    letter = make_letter()
    hold = tmp_path / "hold"
    hold.mkdir()
    (hold / "directory.export").touch()
    smtp.hold_after = 2

    dispatch = tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                                    audience=Dispatch.Audience.EDUCATION_AUTHORITIES)
    client.force_login(world.kirov_edu)
    client.post("/directory/organisations/export/", {"q": ""})
    export = Job.objects.get(kind="directory.export")

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "DATABASE_URL": database_url(), "VAR_DIR": str(tmp_path / "var"), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(settings.MAILERS["default"]["OPTIONS"]["port"]),
        "JOB_LEASE_SECONDS": "2", "JOB_REAP_SECONDS": "3600", "JOB_STEP_HOLD_DIR": str(hold),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    workers = [subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--no-reload",
                                 "--interval", "0.1", "--verbosity", "0"], cwd=ROOT, env=env,
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    try:
        wait_for(lambda: len(smtp.messages) == 3
                 and Delivery.objects.filter(dispatch=dispatch, status=Delivery.Status.SENDING).exists(),
                 "the third letter to be on the wire")
        wait_for(lambda: Job.objects.filter(pk=export.pk, status=Job.Status.RUNNING).exists(),
                 "the export to start")
    finally:
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    for worker in workers:  # kill -9 of the worker PID leaves no process of its group behind
        assert worker.returncode == -signal.SIGKILL
        wait_for(lambda w=worker: is_gone(w.pid), "the worker's process group to go")

    smtp.release.set()
    (hold / "directory.export").unlink()
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.RUNNING}

    # The reaper, once the lease has run out: the dispatch is idempotent and queued again, the export
    # (not declared idempotent) is interrupted for its owner.
    assert jobs.reap_expired_jobs(now=timezone.now() + dt.timedelta(seconds=10)) == {"requeued": 1,
                                                                                       "interrupted": 1}
    export.refresh_from_db()
    assert export.status == Job.Status.INTERRUPTED
    page = client.get(f"/jobs/{export.pk}/").content.decode()
    assert "Прервано" in page
    assert "Повторить" in page
    assert "продолжит выполняться" not in page
    from django_tasks_db.models import DBTaskResult
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()

    assert client.post(f"/jobs/{export.pk}/retry/").status_code == 302
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert not Job.objects.exclude(status=Job.Status.DONE).exists()
    dispatch.job.refresh_from_db()
    assert dispatch.job.attempts == 2
    emails = {f"edu{c}@authority.example.ru" for c in WITH_EMAIL}
    rows = dict(Delivery.objects.filter(dispatch=dispatch, email__in=emails).values_list("email", "status"))
    assert sorted(rows.values()) == ["sent", "sent", "sent", "sent", "unknown"]
    assert smtp.count_to() == dict.fromkeys(emails, 1)
    # The coordinator: the letter whose reply was lost did arrive.
    client.force_login(world.operator)
    client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/unknown/", {"decision": "delivered"})
    assert set(Delivery.objects.filter(dispatch=dispatch, email__in=emails).values_list("status", flat=True)) == {
        "sent"}
    assert smtp.count_to() == dict.fromkeys(emails, 1)
