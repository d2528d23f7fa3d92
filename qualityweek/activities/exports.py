"""Any filtered activity list as XLSX or CSV, in a job, scoped to the person who asked for it.

The columns use the import template's headers, so an exported file can be corrected and imported
again. Cells are never formulas: XLSX strings are written as strings, and CSV text cells starting
with ``= + - @`` (or a tab / carriage return) get a leading apostrophe, so a title such as
``=HYPERLINK(...)`` cannot run in the spreadsheet program of whoever opens the file."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from django.http import QueryDict
from django.utils import timezone

from qualityweek.core import files

from . import selectors
from .imports.headers import COLUMN_BY_KEY
from .models import CATEGORY_FIELDS, Activity, Category

FORMATS = ("xlsx", "csv")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
HEADERS = ["ID", "Регион", COLUMN_BY_KEY["inn"].header, COLUMN_BY_KEY["organisation"].header, "Населённый пункт",
           COLUMN_BY_KEY["type"].header, COLUMN_BY_KEY["title"].header, COLUMN_BY_KEY["starts_on"].header,
           COLUMN_BY_KEY["ends_on"].header, COLUMN_BY_KEY["format"].header,
           *[Category(f).label for f in CATEGORY_FIELDS], "Всего участников",
           COLUMN_BY_KEY["links"].header, COLUMN_BY_KEY["description"].header, COLUMN_BY_KEY["is_public"].header,
           "Статус", "Отправлено", "С опозданием", "Источник"]
DATE_COLUMNS = {7, 8}


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet program would run as a formula becomes plain text."""
    return "'" + value if value.startswith(DANGEROUS_START) else value


def _row(a: Activity) -> list[Any]:
    # A moment as the local wall-clock time: a date-and-time cell in XLSX, «15.12.2026 18:00» in CSV.
    submitted = timezone.localtime(a.submitted_at).replace(tzinfo=None) if a.submitted_at else ""
    return [a.pk, a.region.short_name, a.organisation.inn, a.organisation.name, a.organisation.municipality,
            a.type.name, a.title, a.starts_on, a.ends_on, a.get_format_display(),
            *[getattr(a, f) for f in CATEGORY_FIELDS], a.participants,
            "\n".join(a.links or []), a.description, "да" if a.is_public else "нет",
            a.get_status_display(), submitted, "да" if a.is_late else "нет", a.get_source_display()]


def _activities(owner, filters: dict[str, str]) -> tuple[Iterator[Activity], int]:
    params = QueryDict(mutable=True)
    params.update(filters)
    flt = selectors.ActivityFilter.from_params(params)
    qs = selectors.activities_for(owner, flt).order_by("region__code", "organisation__name", "starts_on", "id")
    return qs.iterator(chunk_size=2000), qs.count()


def write_activities(*, owner, filters: dict[str, str], fmt: str, job_id: str,
                     on_progress: Callable[[int, int], None]) -> tuple[str, str, int]:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    rows, total = _activities(owner, filters)
    writer = _write_xlsx if fmt == "xlsx" else _write_csv
    with files.scratch() as folder:
        count = writer(folder / f"export.{fmt}", rows, total, on_progress)
        relative = files.store_path(f"private/exports/{job_id}.{fmt}", folder / f"export.{fmt}")
    on_progress(count, total)
    return relative, f"activities-{timezone.localdate():%Y-%m-%d}.{fmt}", count


def _write_xlsx(path: Path, rows: Iterator[Activity], total: int, on_progress: Callable[[int, int], None]) -> int:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "constant_memory": True})
    sheet = book.add_worksheet("Мероприятия")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    moment = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    # Counts stay numbers (sums and filters work) shown with thousands grouped: Excel and LibreOffice
    # put the reader's own separator in place of «,» (a space in Russian settings). The ID is not a count.
    count = book.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, HEADERS, bold)
    sheet.set_column(3, 3, 50)
    sheet.set_column(5, 6, 36)
    sheet.set_column(7, 8, 12)
    sheet.freeze_panes(1, 0)
    n = 0
    for n, activity in enumerate(rows, start=1):
        for col, value in enumerate(_row(activity)):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(n, col, value, moment)
            elif isinstance(value, dt.date):
                sheet.write_datetime(n, col, value, date)
            elif isinstance(value, str):
                sheet.write_string(n, col, value)
            else:
                sheet.write_number(n, col, value, count if col else None)
        if n % 1000 == 0:
            on_progress(n, total)
    book.close()
    return n


def _write_csv(path: Path, rows: Iterator[Activity], total: int, on_progress: Callable[[int, int], None]) -> int:
    n = 0
    # UTF-8 with a BOM and «;»: what Excel with Russian settings opens correctly by double click.
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        for n, activity in enumerate(rows, start=1):
            # Numbers as plain digits (no grouping): a spreadsheet or a script computes with them.
            writer.writerow([
                f"{v:%d.%m.%Y %H:%M}" if isinstance(v, dt.datetime) else f"{v:%d.%m.%Y}" if isinstance(v, dt.date)
                else neutralise(v) if isinstance(v, str) else v
                for v in _row(activity)])
            if n % 1000 == 0:
                on_progress(n, total)
    return n
