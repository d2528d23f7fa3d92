"""Jobs of the analytics app. Thin: the work is in ``reminders.py``."""

from __future__ import annotations

from qualityweek.core.jobs import job_task, running_job
from qualityweek.core.text import ru_number

from .reminders import send


# Idempotent: each organisation's reminder is recorded before its SMTP call, so a rerun of the job
# reminds only those never tried (docs/decisions/0015).
@job_task(idempotent=True)
def send_reminders_task(*, job_id: str, campaign_id: int, organisation_ids: list[int],
                        sender_id: int | None) -> int:
    with running_job(job_id) as progress:
        sent, skipped = send(campaign_id=campaign_id, organisation_ids=organisation_ids, sender_id=sender_id,
                             on_progress=progress.step, job_id=job_id)
        message = f"Отправлено напоминаний: {ru_number(sent)}."
        if skipped:
            message += f" Без адреса e-mail: {skipped}."
        progress.finish(message=message)
        return sent
