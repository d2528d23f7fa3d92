"""The one jobs API: a service starts a job, the task reports progress, the owner watches a bar.

- ``start_job`` creates the ``Job`` row now and enqueues its task once the surrounding transaction
  commits (a rolled-back write starts nothing).
- ``start_chunked_job`` does the same for work split into slices that any number of workers share;
  each slice runs under ``running_chunk`` and the one that completes the set is told so.
- ``running_job`` marks the job running for the duration of the task and records a failure.
- ``retry_job`` enqueues a failed job's task again with the arguments it was started with.

Nothing else creates a ``Job`` row or writes its status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job

log = logging.getLogger(__name__)


def _task_path(task: Any) -> str:
    if isinstance(task, str):
        return task
    return f"{task.func.__module__}.{task.func.__name__}"


def enqueue_on_commit(task: Any, **kwargs: Any) -> None:
    """Enqueue a task that needs no job row (nobody watches it), once the transaction commits."""
    path = task if isinstance(task, str) else _task_path(task)
    transaction.on_commit(lambda: import_string(path).enqueue(**kwargs))


def start_job(*, owner: Any, kind: str, title: str, task: Any, total: int = 0, **kwargs: Any) -> Job:
    """Create the job row now and enqueue its task (with ``job_id`` and ``kwargs``) on commit.
    ``task`` is the task object or its dotted path — the path lets a service start a task whose
    module imports the service, without importing it back."""
    job = Job.objects.create(owner=owner, kind=kind, title=title, total=total, task_path=_task_path(task),
                             task_kwargs=[kwargs])
    transaction.on_commit(lambda: _enqueue(job))
    return job


def start_chunked_job(*, owner: Any, kind: str, title: str, task: Any, chunks: Sequence[dict[str, Any]],
                      total: int) -> Job:
    """Create one job whose work is ``len(chunks)`` tasks, each called with ``job_id`` and its chunk's
    arguments; progress adds up across them."""
    if not chunks:
        raise ValueError("A chunked job needs at least one chunk.")
    job = Job.objects.create(owner=owner, kind=kind, title=title, total=total, task_path=_task_path(task),
                             task_kwargs=list(chunks), chunks=len(chunks))
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    task = import_string(job.task_path)
    ids = [str(task.enqueue(job_id=str(job.pk), **kwargs).id) for kwargs in job.task_kwargs]
    Job.objects.filter(pk=job.pk).update(task_result_id=ids[0][:64])


@transaction.atomic
def retry_job(*, job: Job) -> Job:
    """Run a failed job again from the start, with the arguments it was started with."""
    job = Job.objects.select_for_update(of=("self",)).get(pk=job.pk)
    if job.status != Job.Status.FAILED:
        raise ValueError("Only a failed job can be retried.")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, done=0, chunks_done=0, message="",
                                         finished_at=None, attempts=F("attempts") + 1)
    job.refresh_from_db()
    transaction.on_commit(lambda: _enqueue(job))
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

    def add(self, done: int) -> None:
        """Count ``done`` more units of work (chunks of one job add up)."""
        Job.objects.filter(pk=self.job.pk).update(done=F("done") + done)

    def finish(self, *, result_file: str = "", result_name: str = "", message: str = "") -> None:
        self.job.result_file, self.job.result_name = result_file, result_name
        Job.objects.filter(pk=self.job.pk).update(
            status=Job.Status.DONE, result_file=result_file, result_name=result_name,
            message=message[:500], finished_at=timezone.now(),
        )


def _fail(job_id: Any, exc: Exception) -> None:
    log.exception("Job %s failed", job_id)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=f"Ошибка: {exc}"[:500], finished_at=timezone.now()
    )


@contextmanager
def running_job(job_id: str) -> Iterator[Progress]:
    """Mark the job running for the duration of the block; a failure is recorded, then re-raised."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    try:
        yield Progress(job)
    except Exception as exc:
        _fail(job.pk, exc)
        raise


class ChunkProgress(Progress):
    """Progress of one slice of a chunked job."""

    def chunk_done(self) -> bool:
        """Count this slice as done; True for exactly one slice, the one that completed the set
        (it then packs the result and calls ``finish``)."""
        with transaction.atomic():
            Job.objects.filter(pk=self.job.pk).update(chunks_done=F("chunks_done") + 1)
            job = Job.objects.only("chunks", "chunks_done").get(pk=self.job.pk)
            return job.chunks_done == job.chunks


@contextmanager
def running_chunk(job_id: str) -> Iterator[ChunkProgress]:
    """Run one slice of a chunked job; a failure of any slice fails the job."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING)
    try:
        yield ChunkProgress(job)
    except Exception as exc:
        _fail(job.pk, exc)
        raise
