"""All applications of a contest with every juror's scores and comments, raw and normalised, as XLSX.

It runs in a job (``services.start_export`` → ``tasks.export_task``): the file goes to
``MEDIA_ROOT/private/exports/`` and only the job's owner downloads it; the rows are the owner's
scope (``selectors.applications_for``) as it is when the job runs. Text cells are written with
``write_string`` in a workbook that turns neither formulas nor URLs on, so an answer such as
``=HYPERLINK(...)`` stays text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings

from . import scoring
from .models import Application, Contest, Score
from .selectors import applications_for, marks_of

HEADERS = ["№ заявки", "Номинация", "Регион", "Организация", "Номинант", "Название", "Статус", "Место", "Тур",
           "Член жюри", "Оценки по критериям", "Оценка из 100", "Нормированная оценка", "Выброс", "Комментарий"]


def write_xlsx(*, owner: Any, contest: Contest, job_id: str,
               on_progress: Callable[[int, int], None]) -> tuple[str, str, int]:
    """Write the export for ``owner``; returns (the file under MEDIA_ROOT, its download name, rows)."""
    apps = applications_for(owner).filter(contest=contest).exclude(status=Application.Status.DRAFT)
    relative = f"private/exports/{job_id}.xlsx"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = build_xlsx(contest, apps, path, on_progress)
    return relative, f"contest-{contest.year}.xlsx", rows


def build_xlsx(contest: Contest, applications: Iterable[Application], path: Path,
               on_progress: Callable[[int, int], None] = lambda _done, _total: None) -> int:
    apps = list(applications.select_related("nomination", "region", "organisation")  # type: ignore[attr-defined]
                .order_by("nomination__order", "nomination_id", "region__name", "id"))
    scores = list(Score.objects.filter(application__in=[a.pk for a in apps]).select_related("juror")
                  .order_by("round", "application_id", "juror_id"))
    # Normalise per round over the whole contest, as the chair's ranking does.
    pools: dict[str, list[Score]] = {}
    for every in Score.objects.filter(application__contest=contest).select_related("juror"):
        pools.setdefault(every.round, []).append(every)
    normalised: dict[int, float] = {}
    flagged: set[int] = set()
    for pool in pools.values():
        norm = scoring.normalise(marks_of(pool))
        out = scoring.outliers(marks_of(pool))
        for p in pool:
            normalised[p.pk] = norm[p.juror_id, p.application_id]  # every score of the contest, shown or not
            if (p.juror_id, p.application_id) in out:
                flagged.add(p.pk)
    by_app: dict[int, list[Score]] = {}
    for score in scores:
        by_app.setdefault(score.application_id, []).append(score)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    sheet = book.add_worksheet("Заявки и оценки")
    bold = book.add_format({"bold": True})
    score = book.add_format({"num_format": "#,##0.00"})  # a number, shown grouped with the reader's separator
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header, bold)
    row = 1
    for done, a in enumerate(apps, start=1):
        base = [str(a.pk), a.nomination.title, a.region.short_name, a.organisation.name, a.nominee_name, a.title,
                a.get_status_display(), a.place_label]
        listed: list[Score | None] = list(by_app.get(a.pk, [])) or [None]
        for s in listed:  # one row per score, or one row without
            for col, value in enumerate(base):
                sheet.write_string(row, col, value)
            if s is not None:
                sheet.write_string(row, 8, s.get_round_display())
                sheet.write_string(row, 9, s.juror.full_name or s.juror.email)
                sheet.write_string(row, 10, "; ".join(f"{k}: {v}" for k, v in sorted(s.values.items())))
                sheet.write_number(row, 11, round(s.total, 2), score)
                sheet.write_number(row, 12, round(normalised[s.pk], 2), score)
                sheet.write_string(row, 13, "да" if s.pk in flagged else "")
                sheet.write_string(row, 14, s.comment)
            row += 1
        on_progress(done, len(apps))
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 9)
    sheet.set_column(1, 5, 28)
    sheet.set_column(14, 14, 50)
    book.close()
    return row - 1
