"""All applications of a contest with every juror's scores and comments, raw and normalised, as XLSX.

Text cells are written with ``write_string`` in a workbook that turns neither formulas nor URLs on,
so an answer such as ``=HYPERLINK(...)`` stays text."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter

from . import scoring
from .models import Application, Contest, Score
from .selectors import marks_of

HEADERS = ["№ заявки", "Номинация", "Регион", "Организация", "Номинант", "Название", "Статус", "Место", "Тур",
           "Член жюри", "Оценки по критериям", "Оценка из 100", "Нормированная оценка", "Выброс", "Комментарий"]


def build_xlsx(contest: Contest, applications: Iterable[Application]) -> bytes:
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
    out_file = io.BytesIO()
    book = xlsxwriter.Workbook(out_file, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
    sheet = book.add_worksheet("Заявки и оценки")
    bold = book.add_format({"bold": True})
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header, bold)
    row = 1
    for a in apps:
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
                sheet.write_number(row, 11, round(s.total, 2))
                sheet.write_number(row, 12, round(normalised[s.pk], 2))
                sheet.write_string(row, 13, "да" if s.pk in flagged else "")
                sheet.write_string(row, 14, s.comment)
            row += 1
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 9)
    sheet.set_column(1, 5, 28)
    sheet.set_column(14, 14, 50)
    book.close()
    return out_file.getvalue()
