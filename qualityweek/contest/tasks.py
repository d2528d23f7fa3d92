"""Thin tasks of the contest (see core.jobs)."""

from __future__ import annotations

from qualityweek.core.audit import Actor
from qualityweek.core.jobs import job_task, running_job

from . import services


@job_task(idempotent=True)  # a reminder already sent has its row: a rerun mails only the rest
def send_reminders_task(*, job_id: str) -> None:
    with running_job(job_id) as progress:
        sent = services.send_reminders(actor=Actor.system())
        progress.finish(message=f"Напоминаний отправлено: {sent}.")
