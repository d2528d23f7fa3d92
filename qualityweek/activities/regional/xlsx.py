"""The regional report as an XLSX workbook: totals, totals by activity type, the approved activities.

Every text cell is written with ``write_string`` into a workbook that turns neither formulas nor URLs
on by itself, so a title such as ``=HYPERLINK(...)`` stays text in every spreadsheet program."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone

from qualityweek.core.text import date_ru

from ..models import CATEGORY_FIELDS, Category, RegionalReport
from .selectors import STATE_LABELS, Summary, state

ACTIVITY_HEADERS = ["№", "Организация", "Населённый пункт", "Тип мероприятия", "Название", "Начало", "Окончание",
                    "Формат", *[Category(f).label for f in CATEGORY_FIELDS], "Всего участников",
                    "Ссылки на публикации"]


def report_title(s: Summary) -> str:
    return f"Отчёт о проведении Недели качества и Дня качества в {s.campaign.year} году"


def report_subtitle(s: Summary) -> str:
    return f"{s.audience} {s.region.name_genitive}"


def file_stem(s: Summary) -> str:
    return f"regional-report-{s.campaign.year}-{s.region.code}-{s.sector}"


def build_xlsx(s: Summary, report: RegionalReport | None = None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"})
    cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
    num = book.add_format({"border": 1, "valign": "top", "num_format": "#,##0"})
    total = book.add_format({"border": 1, "bold": True, "num_format": "#,##0"})
    total_label = book.add_format({"border": 1, "bold": True})
    date_fmt = book.add_format({"border": 1, "valign": "top", "num_format": "dd.mm.yyyy"})

    # Totals
    sh = book.add_worksheet("Итоги")
    sh.set_column(0, 0, 44)
    sh.set_column(1, 2, 18)
    sh.write_string(0, 0, report_title(s), title)
    sh.write_string(1, 0, report_subtitle(s), bold)
    sh.write_string(2, 0, f"Регион: {s.region.name} (код {s.region.code}); сфера: {s.sector_label.lower()}")
    sh.write_string(3, 0, f"Срок отчёта: {date_ru(s.deadline)} Сформирован: "
                          f"{date_ru(timezone.localdate())} Статус: {STATE_LABELS[state(report)].lower()}.")
    row = 5
    sh.write_string(row, 0, "Категория участников", head)
    sh.write_string(row, 1, "Принято (официально)", head)
    sh.write_string(row, 2, "На проверке", head)
    for c in s.categories:
        row += 1
        sh.write_string(row, 0, c.label, cell)
        sh.write_number(row, 1, c.approved, num)
        sh.write_number(row, 2, c.submitted, num)
    row += 1
    sh.write_string(row, 0, "Всего участников", total_label)
    sh.write_number(row, 1, s.approved_participants, total)
    sh.write_number(row, 2, s.submitted_participants, total)
    row += 1
    sh.write_string(row, 0, "Мероприятий", total_label)
    sh.write_number(row, 1, s.approved_count, total)
    sh.write_number(row, 2, s.submitted_count, total)
    row += 2
    sh.write_string(row, 0, "Организаций приняли участие (с принятыми отчётами)", cell)
    sh.write_number(row, 1, s.organisations_taking_part, num)
    row += 1
    sh.write_string(row, 0, "Организаций только с отчётами на проверке", cell)
    sh.write_number(row, 1, s.organisations_pending, num)
    row += 1
    sh.write_string(row, 0, "Зарегистрировано действующих организаций", cell)
    sh.write_number(row, 1, s.organisations_registered, num)

    # By activity type
    sh = book.add_worksheet("По типам")
    sh.set_column(0, 0, 50)
    sh.set_column(1, 4, 16)
    for col, text in enumerate(["Тип мероприятия", "Принято мероприятий", "Участников (принято)",
                                "На проверке мероприятий", "Участников (на проверке)"]):
        sh.write_string(0, col, text, head)
    for row, t in enumerate(s.types, start=1):
        sh.write_string(row, 0, t.name, cell)
        sh.write_number(row, 1, t.approved, num)
        sh.write_number(row, 2, t.approved_participants, num)
        sh.write_number(row, 3, t.submitted, num)
        sh.write_number(row, 4, t.submitted_participants, num)
    row = len(s.types) + 1
    sh.write_string(row, 0, "Итого", total_label)
    sh.write_number(row, 1, s.approved_count, total)
    sh.write_number(row, 2, s.approved_participants, total)
    sh.write_number(row, 3, s.submitted_count, total)
    sh.write_number(row, 4, s.submitted_participants, total)

    # Approved activities
    sh = book.add_worksheet("Мероприятия")
    sh.set_column(1, 1, 40)
    sh.set_column(2, 3, 22)
    sh.set_column(4, 4, 50)
    sh.set_column(5, 7, 12)
    sh.set_column(8, 8 + len(CATEGORY_FIELDS), 12)
    sh.set_column(9 + len(CATEGORY_FIELDS), 9 + len(CATEGORY_FIELDS), 60)
    for col, text in enumerate(ACTIVITY_HEADERS):
        sh.write_string(0, col, text, head)
    sh.freeze_panes(1, 0)
    row = 0
    for row, a in enumerate(s.activities.iterator(chunk_size=2000), start=1):
        sh.write_number(row, 0, row, num)
        sh.write_string(row, 1, a.organisation.name, cell)
        sh.write_string(row, 2, a.organisation.municipality, cell)
        sh.write_string(row, 3, a.type.name, cell)
        sh.write_string(row, 4, a.title, cell)
        sh.write_datetime(row, 5, a.starts_on, date_fmt)
        sh.write_datetime(row, 6, a.ends_on, date_fmt)
        sh.write_string(row, 7, a.get_format_display(), cell)
        for i, f in enumerate(CATEGORY_FIELDS):
            sh.write_number(row, 8 + i, getattr(a, f), num)
        sh.write_number(row, 8 + len(CATEGORY_FIELDS), a.participants, num)
        sh.write_string(row, 9 + len(CATEGORY_FIELDS), "\n".join(str(link) for link in a.links or []), cell)
    if row:
        sh.autofilter(0, 0, row, len(ACTIVITY_HEADERS) - 1)
    book.close()
    return out.getvalue()
