"""Results of a game as CSV and XLSX: one row per nickname, one column per question, and a sheet of
per-question figures. Text cells are written as strings (never formulas); CSV text that starts
like a formula gets a leading apostrophe."""

from __future__ import annotations

import csv
import io
from typing import Any

import xlsxwriter

from qualityweek.core.text import ru_number

from .selectors import Results

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _player_rows(results: Results) -> tuple[list[str], list[list[Any]]]:
    header = ["Место", "Имя в игре", "Команда", "Баллы", *[f"Вопрос {q.number}" for q in results.questions]]
    rows = [[p["place"], p["nickname"], p["team"], p["score"], *["" if a is None else a for a in p["answers"]]]
            for p in results.per_player]
    return header, rows


def _question_rows(results: Results) -> tuple[list[str], list[list[Any]]]:
    header = ["№", "Вопрос", "Ответили", "Доля верных, %", "Медиана времени, с", "Распределение"]
    rows = [[q.number, q.text, q.answered, "" if q.correct_share is None else q.correct_share,
             "" if q.median_seconds is None else q.median_seconds,
             "; ".join(f"{o['text']}: {ru_number(o['count'])}" for o in q.options if o["count"] is not None)]
            for q in results.questions]
    return header, rows


def as_csv(results: Results) -> bytes:
    # Numbers as plain digits (no grouping): a spreadsheet or a script computes with them.
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    header, rows = _player_rows(results)
    writer.writerow(header)
    writer.writerows([[_safe(v) for v in row] for row in rows])
    writer.writerow([])
    header, rows = _question_rows(results)
    writer.writerow(header)
    writer.writerows([[_safe(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(results: Results) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    # Numbers stay numbers, shown with thousands grouped (the reader's own separator; shares with a tenth).
    count = book.add_format({"num_format": "#,##0"})
    share = book.add_format({"num_format": "#,##0.0"})
    for name, (header, rows) in (("Игроки", _player_rows(results)), ("Вопросы", _question_rows(results))):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, c, value, count if isinstance(value, int) else share)
                else:
                    sheet.write(r, c, value)
        sheet.set_column(1, 1, 40)
    book.close()
    return out.getvalue()
