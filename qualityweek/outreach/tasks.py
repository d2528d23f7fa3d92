"""Jobs of outreach. Thin: the work is in ``sending``; the tasks report progress.

The ``start_*`` functions are what views call: the service with the task it starts, so the
services never import the tasks (which import the sending code)."""

from __future__ import annotations

from typing import Any

from qualityweek.core.jobs import job_task, running_chunk, running_job
from qualityweek.core.models import Job
from qualityweek.core.text import ru_number

from . import sending, services
from .models import Dispatch, RequestReply


# Idempotent: every addressee is claimed before its SMTP call, so a rerun mails only the ones never
# attempted (docs/decisions/0015).
@job_task(idempotent=True)
def send_dispatch_task(*, job_id: str, dispatch_id: int) -> dict[str, int]:
    with running_job(job_id) as progress:
        sent, failed = sending.send_dispatch(dispatch_id=dispatch_id, on_progress=progress.step)
        progress.finish(message=f"Отправлено: {ru_number(sent)}, ошибок: {ru_number(failed)}")
        return {"sent": sent, "failed": failed}


# Idempotent: a rerun writes the same files again and packs them once.
@job_task(idempotent=True)
def render_chunk_task(*, job_id: str, letter_id: int, delivery_ids: list[int], formats: list[str], chunk: int,
                      chunks: int) -> int:
    """One slice of the personal copies; any number of workers take slices in parallel."""
    with running_chunk(job_id) as progress:
        done = sending.render_chunk(job_id=job_id, letter_id=letter_id, delivery_ids=delivery_ids, formats=formats)
        progress.add(done)
        sending.finish_render(progress=progress, letter_id=letter_id)
        return done


# Idempotent: the reply is claimed before its SMTP call, so a rerun never sends it twice.
@job_task(idempotent=True)
def send_reply_task(*, job_id: str, reply_id: int) -> bool:
    with running_job(job_id) as progress:
        sent = sending.send_reply(reply_id=reply_id)
        progress.finish(message="Ответ отправлен." if sent else "Ответ не отправлен: см. причину у обращения.")
        return sent


def start_dispatch(**kwargs: Any) -> Dispatch:
    """``services.start_dispatch`` with its sending job."""
    return services.start_dispatch(task=send_dispatch_task, **kwargs)


def start_render(**kwargs: Any) -> Job:
    """``services.start_render`` with its rendering job."""
    return services.start_render(task=render_chunk_task, **kwargs)


def answer_request(**kwargs: Any) -> RequestReply:
    """``services.answer_request`` with the job that e-mails the reply."""
    return services.answer_request(task=send_reply_task, **kwargs)


def resume_dispatch(**kwargs: Any) -> Job:
    """``services.resume_dispatch`` with the sending task."""
    return services.resume_dispatch(task=send_dispatch_task, **kwargs)


def resolve_unknown(**kwargs: Any) -> int:
    """``services.resolve_unknown`` with the sending task."""
    return services.resolve_unknown(task=send_dispatch_task, **kwargs)
