"""Thin tasks of the forum: the ticket e-mail and the periodic tick (offer expiry and reminders).

The tick is safe to run any number of times and from several workers at once: each offer expires
under its holder's row lock, each reminder is claimed by a conditional UPDATE. Run it every minute
(``manage.py forum_tick`` from cron or a systemd timer enqueues it; ``--now`` runs it in place)."""

from __future__ import annotations

from qualityweek.core.jobs import job_task

from . import sending, services


@job_task(idempotent=True)
def send_ticket_task(*, registration_id: int) -> bool:
    return sending.send_ticket(registration_id=registration_id)


@job_task(idempotent=True)
def forum_tick_task() -> dict[str, int]:
    return {"expired": services.expire_offers(), "reminded": sending.send_reminders()}
