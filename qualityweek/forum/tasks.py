"""Thin tasks of the forum: the ticket e-mails, the registrants export and the periodic tick (offer
expiry, reminders, the personal-data purge after the forum).

The tick is safe to run any number of times and from several workers at once: each offer expires
under its holder's row lock, each reminder is claimed by a conditional UPDATE, each forum is purged
under its row lock once. Run it every minute (``manage.py forum_tick`` from cron or a systemd timer
enqueues it; ``--now`` runs it in place)."""

from __future__ import annotations

from qualityweek.core.audit import Actor
from qualityweek.core.jobs import job_task, running_job
from qualityweek.core.text import count_ru

from . import export, sending, services


@job_task(idempotent=True)
def send_ticket_task(*, registration_id: int) -> bool:
    sent = sending.send_ticket(registration_id=registration_id)
    sending.send_member_tickets(registration_id=registration_id)
    return sent


@job_task(idempotent=True)
def send_member_tickets_task(*, registration_id: int) -> int:
    return sending.send_member_tickets(registration_id=registration_id)


@job_task(idempotent=True)  # the export rewrites its own file
def export_registrants_task(*, job_id: str, forum_id: int) -> str:
    with running_job(job_id) as progress:
        path, name, count = export.write_registrants(owner=progress.job.owner, forum_id=forum_id, job_id=job_id,
                                                     on_progress=progress.step)
        progress.finish(result_file=path, result_name=name,
                        message=f"Выгружено: {count_ru(count, 'регистрация', 'регистрации', 'регистраций')}.")
        return path


@job_task(idempotent=True)
def forum_tick_task() -> dict[str, int]:
    return {"expired": services.expire_offers(), "reminded": sending.send_reminders(),
            "purged": services.purge_personal_data(actor=Actor.system())}
