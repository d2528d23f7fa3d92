"""Jobs of the spreadsheet import and the activities export. Thin: the work is in imports.py and
exports.py; the task reports progress and turns an unexpected failure into a failed batch."""

from __future__ import annotations

from qualityweek.core.jobs import job_task, running_job
from qualityweek.core.text import count_ru, ru_number

from .. import exports
from ..models import ImportBatch
from . import services as imports

FAILED = "Не удалось обработать файл из-за внутренней ошибки. Попробуйте ещё раз или напишите в поддержку."


# Both import jobs are safe to run again from the start after a crash: validation moves only a batch
# still validating (a conditional UPDATE), and the import is one transaction (a killed run leaves
# nothing) that skips rows whose import key is present. The export rewrites its own file.
@job_task(idempotent=True)
def validate_import_task(*, job_id: str, batch_id: int) -> str:
    try:
        with running_job(job_id) as progress:
            batch = imports.validate_batch(batch_id=batch_id, on_progress=progress.step)
            if batch.status == ImportBatch.Status.FAILED:
                message = "Файл отклонён: " + (batch.errors[0]["message"] if batch.errors else "")
            else:
                message = (f"Проверено {count_ru(batch.rows_total, 'строка', 'строки', 'строк')}: "
                           f"без ошибок {ru_number(batch.rows_valid)}.")
            progress.finish(message=message)
            return batch.status
    except Exception:
        imports.mark_failed(batch_id, FAILED)
        raise


@job_task(idempotent=True)
def run_import_task(*, job_id: str, batch_id: int) -> str:
    try:
        with running_job(job_id) as progress:
            batch = imports.run_import(batch_id=batch_id, on_progress=progress.step)
            progress.finish(message=f"Импортировано: {ru_number(batch.imported)}; "
                                    f"уже были в системе: {ru_number(batch.already_present)}.")
            return batch.status
    except Exception:
        imports.mark_failed(batch_id, FAILED)
        raise


@job_task(idempotent=True)
def export_activities_task(*, job_id: str, filters: dict[str, str], fmt: str) -> str:
    with running_job(job_id) as progress:
        path, name, count = exports.write_activities(owner=progress.job.owner, filters=filters, fmt=fmt,
                                                     job_id=job_id, on_progress=progress.step)
        progress.finish(result_file=path, result_name=name,
                        message=f"Выгружено: {count_ru(count, 'мероприятие', 'мероприятия', 'мероприятий')}.")
        return path
