"""Thin tasks: run a certificates service inside a job."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from qualityweek.core.audit import Actor
from qualityweek.core.jobs import job_task, running_job
from qualityweek.core.text import ru_number

from . import services
from .sources import Subject


def _actor(user_id: int | None) -> Actor:
    if user_id is None:
        return Actor.system()
    return Actor(user=get_user_model().objects.get(pk=user_id))


@job_task(idempotent=True)  # issuing again creates nothing new; the ZIP is written afresh
def issue_task(*, job_id: str, source_code: str, subject: dict[str, Any], user_id: int | None) -> int:
    with running_job(job_id) as progress:
        result = services.issue(actor=_actor(user_id), source_code=source_code, subject=Subject(**subject),
                                progress=lambda done, total: progress.step(done, 2 * total, "Выдача сертификатов"))
        total = len(result.ids)
        if not total:
            progress.finish(message="Некому выдавать: в выбранной области получателей нет.")
            return 0
        relative, _count = services.store_zip(
            progress.job, services.in_order(result.ids), total=total,
            progress=lambda done, _: progress.step(total + done, 2 * total, "Сборка архива PDF"))
        progress.finish(result_file=relative, result_name="сертификаты.zip", message=result.message())
        return total


@job_task(idempotent=True)
def zip_task(*, job_id: str, ids: list[int]) -> int:
    with running_job(job_id) as progress:
        relative, count = services.store_zip(
            progress.job, services.in_order(ids), total=len(ids),
            progress=lambda done, total: progress.step(done, total, "Сборка архива PDF"))
        progress.finish(result_file=relative, result_name="сертификаты.zip",
                        message=f"PDF в архиве: {ru_number(count)}.")
        return count


@job_task(idempotent=True)  # a rerun mails only certificates never attempted
def send_task(*, job_id: str, ids: list[int]) -> int:
    with running_job(job_id) as progress:
        counts = services.send_certificates(ids, progress=lambda done, total: progress.step(done, total, "Отправка"))
        progress.finish(message=(f"Отправлено: {ru_number(counts['sent'])}; "
                                 f"не доставлено: {ru_number(counts['failed'])}; "
                                 f"неизвестно: {ru_number(counts['unknown'])}; "
                                 f"пропущено: {ru_number(counts['skipped'])}."))
        return counts["sent"]
