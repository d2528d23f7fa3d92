"""Jobs of outreach. Thin: the work is in ``sending``; the tasks report progress."""

from __future__ import annotations

from django.tasks import task

from qualityweek.core.jobs import running_job

from . import sending


@task()
def send_dispatch_task(*, job_id: str, dispatch_id: int) -> dict[str, int]:
    with running_job(job_id) as progress:
        sent, failed = sending.send_dispatch(dispatch_id=dispatch_id, on_progress=progress.step)
        progress.finish(message=f"Отправлено: {sent}, ошибок: {failed}")
        return {"sent": sent, "failed": failed}


@task()
def render_chunk_task(*, job_id: str, letter_id: int, delivery_ids: list[int], formats: list[str], chunk: int,
                      chunks: int) -> int:
    """One slice of the personal copies; any number of workers take slices in parallel."""
    with running_job(job_id):
        done = sending.render_chunk(job_id=job_id, letter_id=letter_id, delivery_ids=delivery_ids, formats=formats)
        sending.finish_render(job_id=job_id, letter_id=letter_id)
        return done


@task()
def send_reply_task(*, reply_id: int) -> bool:
    return sending.send_reply(reply_id=reply_id)
