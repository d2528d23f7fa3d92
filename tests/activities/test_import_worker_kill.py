"""A real `run_worker` process killed with SIGKILL in the middle of an import job (paused inside the
import's transaction, after its rows were written but before the commit). Then the reaper queues the
import again (it is declared idempotent) and a second worker finishes it: every row exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qualityweek.activities.models import Activity, ActivityEvent, ImportBatch
from qualityweek.core import jobs
from qualityweek.core.models import Job
from tests.outreach.test_worker_kill import ROOT, database_url, is_gone, wait_for

from .files import HEADERS, xlsx
from .test_import_flow import good, upload

B = ImportBatch.Status


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_killed_mid_transaction_is_taken_up_again_and_writes_each_row_once(
        client, world, campaign, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.JOB_LEASE_SECONDS = 2
    client.force_login(world.kirov_edu)
    rows = [HEADERS] + [good(world, campaign, title=f"Урок качества, {n} класс") for n in range(1, 12)]
    upload(client, xlsx(rows), capture=django_capture_on_commit_callbacks)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)  # the validation job
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_valid) == (B.PREVIEW, 11)

    hold = tmp_path / "hold"
    hold.mkdir()
    (hold / "activities.import_run").touch()  # the job stops at its progress call, inside the transaction
    assert client.post(reverse("activity_import_confirm", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "DATABASE_URL": database_url(), "VAR_DIR": str(tmp_path / "var"), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JOB_LEASE_SECONDS": "2", "JOB_REAP_SECONDS": "3600", "JOB_STEP_HOLD_DIR": str(hold),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    worker = subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--no-reload",
                               "--interval", "0.1", "--verbosity", "0"], cwd=ROOT, env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for((hold / "activities.import_run.held").exists, "the import to write its rows")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    wait_for(lambda: is_gone(worker.pid), "the worker's process group to go")
    (hold / "activities.import_run").unlink()

    # The killed transaction left nothing behind, and the batch is not left «importing» for good.
    assert not Activity.objects.exists()
    assert jobs.reap_expired_jobs(now=timezone.now() + dt.timedelta(seconds=10)) == {"requeued": 1,
                                                                                       "interrupted": 0}
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == B.DONE
    assert (batch.imported, batch.already_present) == (11, 0)
    assert batch.job.attempts == 2
    assert Activity.objects.count() == 11
    assert ActivityEvent.objects.filter(activity__source=Activity.Source.IMPORT).count() == 11
    assert not Job.objects.exclude(status=Job.Status.DONE).exists()
