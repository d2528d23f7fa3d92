"""Thin tasks of the contest (see core.jobs)."""

from __future__ import annotations

from qualityweek.core.audit import Actor
from qualityweek.core.jobs import job_task, running_job
from qualityweek.core.text import ru_number

from . import services
from .export import write_xlsx
from .models import Contest


@job_task(idempotent=True)  # a reminder already sent has its row: a rerun mails only the rest
def send_reminders_task(*, job_id: str) -> None:
    with running_job(job_id) as progress:
        sent = services.send_reminders(actor=Actor.system())
        progress.finish(message=f"Напоминаний отправлено: {ru_number(sent)}.")


@job_task(idempotent=True)  # the file is written again from the start
def export_task(*, job_id: str, contest_id: int) -> str:
    with running_job(job_id) as progress:
        contest = Contest.objects.select_related("campaign").get(pk=contest_id)
        path, name, rows = write_xlsx(owner=progress.job.owner, contest=contest, job_id=job_id,
                                      on_progress=progress.step)
        progress.finish(result_file=path, result_name=name, message=f"Выгружено строк: {ru_number(rows)}.")
        return path
