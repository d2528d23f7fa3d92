"""Jobs of the analytics app. Thin: the work is in ``reminders.py``."""

from __future__ import annotations

from django.tasks import task

from qualityweek.core.jobs import running_job

from .reminders import send


@task()
def send_reminders_task(*, job_id: str, campaign_id: int, organisation_ids: list[int],
                        sender_id: int | None) -> int:
    with running_job(job_id) as progress:
        sent, skipped = send(campaign_id=campaign_id, organisation_ids=organisation_ids, sender_id=sender_id,
                             on_progress=progress.step)
        message = f"Отправлено напоминаний: {sent}."
        if skipped:
            message += f" Без адреса e-mail: {skipped}."
        progress.finish(message=message)
        return sent
