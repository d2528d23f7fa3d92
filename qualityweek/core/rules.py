"""Access rules of core's own model: a job is its owner's to retry or cancel."""

from __future__ import annotations

from typing import Any

from .models import Job
from .permissions import rule, system_rule

RETRYABLE = {Job.Status.FAILED, Job.Status.INTERRUPTED, Job.Status.CANCELLED}
CANCELLABLE = {Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.INTERRUPTED}


@rule(Job, "retry")
def retry(user: Any, job: Job) -> bool:
    return job.owner_id == user.pk and job.status in RETRYABLE


@rule(Job, "cancel")
def cancel(user: Any, job: Job) -> bool:
    return job.owner_id == user.pk and job.status in CANCELLABLE


@system_rule(Job, "retry")
def system_retry(_: Any, job: Job) -> bool:
    return job.status in RETRYABLE


@system_rule(Job, "cancel")
def system_cancel(_: Any, job: Job) -> bool:
    return job.status in CANCELLABLE
