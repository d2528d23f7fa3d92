"""Background jobs with progress: a service starts one, the task reports, the owner watches a bar."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)


def start_job(*, owner: Any, kind: str, title: str, task: Any, **kwargs: Any) -> Job:
    """Create the job row now and enqueue its task once the surrounding transaction commits."""
    job = Job.objects.create(owner=owner, kind=kind, title=title)

    def enqueue() -> None:
        result = task.enqueue(job_id=str(job.pk), **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


class Progress:
    """Progress writer for a running job; writes at most a few times a second."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last = 0.0

    def step(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if now - self._last < 0.25 and done < total:
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, message=message[:500])

    def finish(self, *, result_file: str = "", result_name: str = "", message: str = "") -> None:
        self.job.result_file, self.job.result_name = result_file, result_name
        Job.objects.filter(pk=self.job.pk).update(
            status=Job.Status.DONE, result_file=result_file, result_name=result_name,
            message=message[:500], finished_at=timezone.now(),
        )


@contextmanager
def running_job(job_id: str) -> Iterator[Progress]:
    """Mark the job running for the duration of the block; a failure is recorded, then re-raised."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    try:
        yield Progress(job)
    except Exception as exc:
        log.exception("Job %s failed", job_id)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=f"Ошибка: {exc}"[:500], finished_at=timezone.now()
        )
        raise
