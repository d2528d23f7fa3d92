"""Thin tasks of notifications: the periodic tick (deadline reminders, letters a lost task left
queued, the daily digests). Safe to run any number of times and from several workers at once:
every notification is created once per event key and every letter is claimed before it is sent.
``manage.py notifications_tick`` enqueues it (from cron, hourly); ``--now`` runs it in place."""

from __future__ import annotations

from qualityweek.core.jobs import job_task

from . import sending, services


@job_task(idempotent=True)
def notifications_tick_task(digests: bool = False) -> dict[str, int]:
    reminded = services.remind_deadlines()
    lost = sending.mark_lost()
    sent, failed = sending.send_queued()
    result = {"reminded": reminded, "lost": lost, "sent": sent, "failed": failed}
    if digests:
        result["digests"] = sending.send_digests()
    return result
