"""Writing the import template: an XLSX with the Russian headers (and their help as comments), an
example row on Quality Day, and the reference list of activity types and the rules on a second sheet."""

from __future__ import annotations

import io

import xlsxwriter

from qualityweek.campaigns.models import Campaign

from ..models import CATEGORY_FIELDS, ActivityType
from .headers import COLUMNS


def build_template(campaign: Campaign | None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DCE7F5",
                            "border": 1})
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    note = book.add_format({"italic": True, "font_color": "#4F5964", "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Мероприятия")
    columns = COLUMNS
    sheet.write_row(0, 0, [c.header for c in columns], head)
    day = campaign.quality_day if campaign else None
    example = {
        "inn": "4345000000", "organisation": "МБОУ «Средняя общеобразовательная школа № 1» г. Киров",
        "type": "Урок качества", "title": "Урок качества «Россия — страна со Знаком качества»",
        "format": "очно", "pupils_5_9": 75, "teachers": 3,
        "links": "https://vk.com/wall-1_1", "description": "Урок качества для трёх классов: 75 учащихся.",
        "is_public": "да",
    }
    for col, c in enumerate(columns):
        if c.key in ("starts_on", "ends_on") and day:
            sheet.write_datetime(1, col, day, date)
        elif c.key in example:
            sheet.write(1, col, example[c.key])
        if c.help:
            sheet.write_comment(0, col, c.help, {"x_scale": 2})
    sheet.set_row(0, 45)
    sheet.set_column(0, len(columns) - 1, 16)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 3, 32)
    sheet.freeze_panes(1, 0)
    ref = book.add_worksheet("Типы мероприятий")
    ref.write_row(0, 0, ["Тип мероприятия", "Код", "Для каких сфер", "Какие категории участников учитываются"],
                  head)
    sectors = {"education": "образование", "business": "бизнес", "government": "органы власти", "other": "другое"}
    labels = dict(zip(CATEGORY_FIELDS, [c.header for c in columns if c.key in CATEGORY_FIELDS], strict=True))
    row = 0
    for row, t in enumerate(ActivityType.objects.filter(is_active=True), start=1):
        ref.write_row(row, 0, [t.name, t.code, ", ".join(sectors.get(s, s) for s in t.sectors),
                               ", ".join(labels.get(c, c) for c in t.categories)])
    rules = [
        "Как указать организацию:",
        "1. По ИНН (10 или 12 цифр) — надёжнее всего.",
        "2. Если ИНН нет — точное название организации, как в реестре платформы (регистр, «ё», кавычки и "
        "пробелы не важны).",
        "Организация должна быть из вашего региона и вашей сферы и быть подтверждена в реестре.",
        "Даты: 14.11.2026, 14 ноября 2026, 2026-11-14 или ячейка в формате даты; окончание можно не указывать.",
        "Числа участников — целые, пустая ячейка означает 0. Пустые строки пропускаются.",
        "Загружаются отчёты о проведённых мероприятиях: нужно хотя бы одно ненулевое число участников и "
        "описание или ссылка на публикацию.",
        "Формат: очно, онлайн или гибридно. Показывать в афише: да или нет.",
        "Повторная загрузка того же файла не создаёт дубликатов.",
    ]
    for i, line in enumerate(rules):
        ref.write(row + 2 + i, 0, line, note if i else head)
    ref.set_column(0, 0, 60)
    ref.set_column(1, 1, 18)
    ref.set_column(2, 3, 50)
    book.close()
    return out.getvalue()
