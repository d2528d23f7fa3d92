"""Jobs of the directory. Thin: the work is in the export module; the task reports progress."""

from __future__ import annotations

from django.tasks import task

from qualityweek.core.jobs import running_job
from qualityweek.core.text import ru_number

from .export import write_organisations_xlsx


@task()
def export_organisations_task(*, job_id: str, filters: dict[str, str]) -> str:
    with running_job(job_id) as progress:
        path, name, count = write_organisations_xlsx(owner=progress.job.owner, filters=filters,
                                                     job_id=job_id, on_progress=progress.step)
        progress.finish(result_file=path, result_name=name, message=f"Выгружено строк: {ru_number(count)}")
        return path
