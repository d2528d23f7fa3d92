"""The one jobs API: a service starts a job, the task reports progress, the owner watches a bar.

- ``start_job`` creates the ``Job`` row now and enqueues its task once the surrounding transaction
  commits (a rolled-back write starts nothing).
- ``start_chunked_job`` does the same for work split into slices that any number of workers share;
  each slice runs under ``running_chunk`` and the one that completes the set is told so.
- ``running_job`` marks the job running for the duration of the task, keeps its **lease** (touches
  ``heartbeat_at`` on every progress call and from a small background thread every third of
  ``JOB_LEASE_SECONDS``) and records a failure.
- ``reap_expired_jobs`` (run beside the worker loop by ``manage.py run_worker``, or on its own by
  ``manage.py reap_jobs``) takes over jobs whose lease expired: a job whose task is declared
  idempotent (``@job_task(idempotent=True)``) is queued again, up to ``JOB_MAX_ATTEMPTS`` runs; any
  other is marked interrupted.
- ``retry_job`` / ``cancel_job`` are the owner's actions (checked with ``can``); ``restart_job`` /
  ``stop_job`` are the same without the check, for an app's own service that has checked its own
  rule (an import batch, a letter dispatch) inside its own transaction.

A run is identified by ``Job.attempts``: every write of a run is conditional on its attempt and on
the job still running, so a worker that was given up on (or whose job was cancelled) writes nothing
and stops at its next progress call.

Nothing else creates a ``Job`` row or writes its status.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.tasks import task as django_task
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit
from .audit import Actor
from .logs import current_request_id, job_context
from .metrics import JOB_FAILURES, JOB_INTERRUPTIONS
from .models import FINISHED, Job
from .permissions import require
from .rules import CANCELLABLE, RETRYABLE

log = logging.getLogger(__name__)


_idempotent: set[str] = set()


def lease_seconds() -> int:
    return int(getattr(settings, "JOB_LEASE_SECONDS", 60))


def job_task(*, idempotent: bool, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``django.tasks.task`` for a job's task, declaring whether running it again from the start
    after a crash is safe (the reaper then queues it again instead of marking it interrupted)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        if idempotent:
            _idempotent.add(f"{fn.__module__}.{fn.__name__}")
        return django_task(**options)(fn)

    return decorate


def is_idempotent(job: Job) -> bool:
    if not job.task_path:
        return False
    try:
        import_string(job.task_path)  # registers its declaration in a process that never ran it
    except ImportError:
        return False
    return job.task_path in _idempotent


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
                             task_kwargs=[kwargs], request_id=current_request_id())
    transaction.on_commit(lambda: _enqueue(job))
    return job


def start_chunked_job(*, owner: Any, kind: str, title: str, task: Any, chunks: Sequence[dict[str, Any]],
                      total: int) -> Job:
    """Create one job whose work is ``len(chunks)`` tasks, each called with ``job_id`` and its chunk's
    arguments; progress adds up across them."""
    if not chunks:
        raise ValueError("A chunked job needs at least one chunk.")
    job = Job.objects.create(owner=owner, kind=kind, title=title, total=total, task_path=_task_path(task),
                             task_kwargs=list(chunks), chunks=len(chunks), request_id=current_request_id())
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    task = import_string(job.task_path)
    ids = [str(task.enqueue(job_id=str(job.pk), **kwargs).id) for kwargs in job.task_kwargs]
    Job.objects.filter(pk=job.pk).update(task_result_id=ids[0][:64])


# --- The owner's actions ----------------------------------------------------------------------------

def _locked(job: Job) -> Job:
    return Job.objects.select_for_update(of=("self",)).get(pk=job.pk)


@transaction.atomic
def restart_job(*, job: Job, message: str = "") -> Job:
    """Run a failed, interrupted or cancelled job again from the start, with the arguments it was
    started with (a new attempt). For services that checked their own rule; owners use ``retry_job``."""
    job = _locked(job)
    if job.status not in RETRYABLE:
        raise ValueError(f"A {job.status} job cannot be run again.")
    _requeue(job, message=message)
    job.refresh_from_db()
    return job


def _requeue(job: Job, *, message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, done=0, chunks_done=0, message=message[:500],
                                         finished_at=None, heartbeat_at=None, attempts=F("attempts") + 1)
    transaction.on_commit(lambda: _enqueue(job))


@transaction.atomic
def stop_job(*, job: Job, message: str = "Отменено.") -> Job:
    """Cancel a queued, running or interrupted job. A running one stops at its next progress call;
    a queued one is skipped when a worker picks it up. For services that checked their own rule."""
    job = _locked(job)
    if job.status not in CANCELLABLE:
        raise ValueError(f"A {job.status} job cannot be cancelled.")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED, message=message[:500],
                                         finished_at=timezone.now())
    job.refresh_from_db()
    return job


@transaction.atomic
def retry_job(*, actor: Actor, job: Job) -> Job:
    """The owner's «Повторить»."""
    job = _locked(job)
    require(actor, "retry", job, "Эту задачу нельзя повторить.")
    before = {"status": job.status, "attempts": job.attempts}
    job = restart_job(job=job)
    audit.record(actor=actor, action="job.retry", obj=job, before=before,
                 after={"status": job.status, "attempts": job.attempts})
    return job


@transaction.atomic
def cancel_job(*, actor: Actor, job: Job) -> Job:
    """The owner's «Отменить»."""
    job = _locked(job)
    require(actor, "cancel", job, "Эту задачу нельзя отменить.")
    before = {"status": job.status}
    job = stop_job(job=job)
    audit.record(actor=actor, action="job.cancel", obj=job, before=before, after={"status": job.status})
    return job


# --- Running --------------------------------------------------------------------------------------

class JobStopped(Exception):
    """The job is no longer this run's: cancelled, or given up on by the reaper and started again."""


def _mine(job: Job, attempt: int) -> Any:
    return Job.objects.filter(pk=job.pk, attempts=attempt, status=Job.Status.RUNNING)


class _Heartbeat(threading.Thread):
    """Touches the job's lease while the task works between progress calls (one render, one SMTP
    call that takes long). Its own database connection, closed when it ends."""

    def __init__(self, job: Job, attempt: int) -> None:
        super().__init__(name=f"job-heartbeat-{job.pk}", daemon=True)
        self.job, self.attempt = job, attempt
        self.halt = threading.Event()
        self.lost = False

    def run(self) -> None:
        interval = max(lease_seconds() / 3, 0.05)
        try:
            while not self.halt.wait(interval):
                if not _mine(self.job, self.attempt).update(heartbeat_at=timezone.now()):
                    self.lost = True
                    return
        except Exception:  # a busy database must not kill the job: the next progress call touches it
            log.warning("Heartbeat of job %s failed", self.job.pk, exc_info=True)
        finally:
            connection.close()


class Progress:
    """Progress writer for a running job; writes at most a few times a second, and raises
    ``JobStopped`` when the job is no longer this run's."""

    def __init__(self, job: Job, attempt: int | None = None, heartbeat: _Heartbeat | None = None) -> None:
        self.job = job
        self.attempt = job.attempts if attempt is None else attempt
        self._heartbeat = heartbeat
        self._last = 0.0

    def _write(self, **changes: Any) -> None:
        if not _mine(self.job, self.attempt).update(heartbeat_at=timezone.now(), **changes):
            raise JobStopped(f"Job {self.job.pk} attempt {self.attempt} is no longer running.")

    def check(self) -> None:
        """Raise ``JobStopped`` if the heartbeat found the job taken away."""
        if self._heartbeat is not None and self._heartbeat.lost:
            raise JobStopped(f"Job {self.job.pk} attempt {self.attempt} is no longer running.")

    def step(self, done: int, total: int, message: str = "") -> None:
        self.check()
        now = time.monotonic()
        if now - self._last < 0.25 and done < total:
            return
        self._last = now
        self._write(done=done, total=total, message=message[:500])
        _hold(self.job)


    def add(self, done: int) -> None:
        """Count ``done`` more units of work (chunks of one job add up)."""
        self._write(done=F("done") + done)

    def finish(self, *, result_file: str = "", result_name: str = "", message: str = "") -> None:
        self.job.result_file, self.job.result_name = result_file, result_name
        self._write(status=Job.Status.DONE, result_file=result_file, result_name=result_name,
                    message=message[:500], finished_at=timezone.now())


def _hold(job: Job) -> None:
    """Tests only (``JOB_STEP_HOLD_DIR``): a job pauses at its progress calls while a file named after
    its kind exists there, so a test can kill its worker mid-job without timing. It leaves
    ``<kind>.held`` beside the flag: the sign, visible outside any transaction, that it got there."""
    folder = getattr(settings, "JOB_STEP_HOLD_DIR", "")
    if folder:
        flag = Path(folder) / job.kind
        if flag.exists():
            flag.with_name(f"{job.kind}.held").touch()
        while flag.exists():
            time.sleep(0.02)


def _fail(job_id: Any, attempt: int, exc: Exception, kind: str = "") -> None:
    log.exception("Job %s failed", job_id)
    JOB_FAILURES.labels(kind=kind or "unknown").inc()
    Job.objects.filter(pk=job_id, attempts=attempt, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, message=f"Ошибка: {exc}"[:500], finished_at=timezone.now()
    )


@contextmanager
def _run(job_id: str, *, allowed: frozenset[str], progress_class: type[Progress]) -> Iterator[Any]:
    job = Job.objects.get(pk=job_id)
    with job_context(job_id=str(job.pk), request_id=job.request_id), \
            _running(job, allowed=allowed, progress_class=progress_class) as progress:
        yield progress


@contextmanager
def _running(job: Job, *, allowed: frozenset[str], progress_class: type[Progress]) -> Iterator[Any]:
    attempt = job.attempts
    if not Job.objects.filter(pk=job.pk, attempts=attempt, status__in=allowed).update(
            status=Job.Status.RUNNING, heartbeat_at=timezone.now()):
        raise JobStopped(f"Job {job.pk} is {job.status}: nothing to run.")
    heartbeat = _Heartbeat(job, attempt)
    heartbeat.start()
    try:
        yield progress_class(job, attempt, heartbeat)
    except JobStopped:
        log.warning("Job %s attempt %s stopped: no longer this run's", job.pk, attempt)
        raise
    except Exception as exc:
        _fail(job.pk, attempt, exc, job.kind)
        raise
    finally:
        heartbeat.halt.set()
        heartbeat.join()


@contextmanager
def running_job(job_id: str) -> Iterator[Progress]:
    """Mark the job running for the duration of the block; a failure is recorded, then re-raised.
    A job that is no longer queued (cancelled before a worker got to it) raises ``JobStopped``."""
    with _run(job_id, allowed=frozenset({Job.Status.QUEUED}), progress_class=Progress) as progress:
        yield progress


class ChunkProgress(Progress):
    """Progress of one slice of a chunked job."""

    def chunk_done(self) -> bool:
        """Count this slice as done; True for exactly one slice, the one that completed the set
        (it then packs the result and calls ``finish``)."""
        with transaction.atomic():
            self._write(chunks_done=F("chunks_done") + 1)
            job = Job.objects.only("chunks", "chunks_done").get(pk=self.job.pk)
            return job.chunks_done == job.chunks


@contextmanager
def running_chunk(job_id: str) -> Iterator[ChunkProgress]:
    """Run one slice of a chunked job; a failure of any slice fails the job."""
    with _run(job_id, allowed=frozenset({Job.Status.QUEUED, Job.Status.RUNNING}),
              progress_class=ChunkProgress) as progress:
        yield progress


# --- The reaper -----------------------------------------------------------------------------------

def expired(now: datetime | None = None) -> Any:
    """Running jobs whose lease has expired."""
    cutoff = (now or timezone.now()) - timedelta(seconds=lease_seconds())
    return Job.objects.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
                              status=Job.Status.RUNNING)


def reap_expired_jobs(now: datetime | None = None) -> dict[str, int]:
    """Take over every running job whose worker has not been heard of for the lease: queue it again
    when its task is idempotent and it has runs left, mark it interrupted otherwise. Safe to run in
    several processes at once (each job is taken over under its row lock, once)."""
    now = now or timezone.now()
    counts = {"requeued": 0, "interrupted": 0}
    max_attempts = int(getattr(settings, "JOB_MAX_ATTEMPTS", 3))
    for pk in list(expired(now).values_list("pk", flat=True)):
        with transaction.atomic():
            job = expired(now).select_for_update(of=("self",)).filter(pk=pk).first()
            if job is None:
                continue
            _fail_task_results(job, now)
            if is_idempotent(job) and job.attempts < max_attempts:
                _requeue(job, message=f"Работа прервалась; запущена снова (попытка {job.attempts + 1}).")
                outcome = "requeued"
            else:
                Job.objects.filter(pk=job.pk).update(
                    status=Job.Status.INTERRUPTED, finished_at=now,
                    message="Работа прервалась: обработчик задач остановился. Её можно повторить или отменить.")
                outcome = "interrupted"
            counts[outcome] += 1
            JOB_INTERRUPTIONS.labels(kind=job.kind, outcome=outcome).inc()
            log.warning("Job %s (%s) lease expired: %s", job.pk, job.kind, outcome)
    return counts


def _fail_task_results(job: Job, now: datetime) -> None:
    """The task rows the dead worker left «running» in django-tasks-db's table are failed too."""
    if not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="RUNNING", task_path=job.task_path,
                                args_kwargs__kwargs__job_id=str(job.pk)).update(
        status="FAILED", finished_at=now, exception_class_path="qualityweek.core.jobs.JobStopped",
        traceback="The job's lease expired: its worker stopped.")


def reaper_loop(stop: threading.Event, interval: float | None = None) -> None:
    """Reap every ``interval`` seconds until ``stop`` is set (the thread ``run_worker`` starts)."""
    interval = interval if interval is not None else float(getattr(settings, "JOB_REAP_SECONDS", 30))
    try:
        while not stop.wait(interval):
            close_old_connections()
            try:
                reap_expired_jobs()
            except Exception:  # a locked database now is fine next time
                log.warning("Reaping jobs failed", exc_info=True)
    finally:
        connection.close()


__all__ = ["CANCELLABLE", "FINISHED", "RETRYABLE", "ChunkProgress", "JobStopped", "Progress", "cancel_job",
           "enqueue_on_commit", "expired", "is_idempotent", "job_task", "reap_expired_jobs", "reaper_loop",
           "restart_job", "retry_job", "running_chunk", "running_job", "start_chunked_job", "start_job",
           "stop_job"]
