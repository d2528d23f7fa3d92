"""The organisations list as an XLSX file, scoped to the person who asked for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import xlsxwriter
from django.http import QueryDict
from django.utils import timezone

from qualityweek.core import files

from . import selectors

HEADERS = ["Регион", "Код региона", "Название", "Тип", "Сфера", "Населённый пункт", "ИНН", "Численность",
           "E-mail", "Телефон", "Сайт", "Статус"]


def write_organisations_xlsx(*, owner, filters: dict[str, str], job_id: str,
                             on_progress: Callable[[int, int], None]) -> tuple[str, str, int]:
    params = QueryDict(mutable=True)
    params.update(filters)
    flt = selectors.OrganisationFilter.from_params(params)
    qs = selectors.organisations_for(owner, flt).order_by("region__code", "name", "id")
    total = qs.count()
    with files.scratch() as folder:
        row = _write(folder / "organisations.xlsx", qs, total, on_progress)
        relative = files.store_path(f"private/exports/{job_id}.xlsx", folder / "organisations.xlsx")
    return relative, f"organisations-{timezone.localdate():%Y-%m-%d}.xlsx", row


def _write(path: Path, qs, total: int, on_progress: Callable[[int, int], None]) -> int:
    # Strings are written as strings, never as formulas: a name like "=HYPERLINK(...)" stays text.
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "constant_memory": True})
    sheet = book.add_worksheet("Организации")
    bold = book.add_format({"bold": True})
    # The size is a count: a number shown with thousands grouped (the reader's own separator). The INN,
    # the region code and the phone are codes and stay text.
    count = book.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, HEADERS, bold)
    sheet.set_column(0, 0, 24)
    sheet.set_column(2, 2, 60)
    row = 0
    for row, org in enumerate(qs.iterator(chunk_size=2000), start=1):
        sheet.write_row(row, 0, [
            org.region.name, org.region.code, org.name, org.get_kind_display(), org.get_sector_display(),
            org.municipality, org.inn, "", org.email, org.phone, org.website, org.get_status_display(),
        ])
        if org.size is not None:
            sheet.write_number(row, 7, org.size, count)
        if row % 500 == 0:
            on_progress(row, total)
    on_progress(row, total)
    book.close()
    return row
