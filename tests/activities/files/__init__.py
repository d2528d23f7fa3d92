"""Spreadsheets for the import tests, built in code (no binaries in the repository): good files,
and the nasty ones regions really send — merged cells, text dates, wrong encodings, zip bombs."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from qualityweek.activities.imports.headers import TEMPLATE_HEADERS

HEADERS = TEMPLATE_HEADERS


def row(**values: Any) -> list[Any]:
    """A row in template column order from keyword values (keys as in imports.headers.COLUMNS)."""
    from qualityweek.activities.imports.headers import COLUMNS

    return [values.get(c.key, "") for c in COLUMNS]


def xlsx(rows: Sequence[Sequence[Any]], *, merge: Sequence[str] = (),
         formulas: dict[str, tuple[str, Any]] | None = None, start_row: int = 0, title: str = "") -> bytes:
    """An XLSX workbook: real date cells for dates, numbers as numbers, optional merged ranges and
    formula cells (with their cached values, as Excel saves them)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Мероприятия")
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    if title:
        sheet.write(0, 0, title)
    for r, values in enumerate(rows, start=start_row):
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date)
            else:
                sheet.write(r, c, value)
    for cell_range in merge:
        first = cell_range.split(":")[0]
        sheet.merge_range(cell_range, rows[_row_of(first) - start_row][_col_of(first)])
    for cell, (formula, value) in (formulas or {}).items():
        sheet.write_formula(cell, formula, None, value)
    book.close()
    return out.getvalue()


def _row_of(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit())) - 1


def _col_of(cell: str) -> int:
    letters = "".join(ch for ch in cell if ch.isalpha())
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    import csv

    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    for values in rows:
        writer.writerow(["" if v is None else f"{v:%d.%m.%Y}" if isinstance(v, dt.date) else v for v in values])
    return text.getvalue().encode(encoding)


def zip_bomb(megabytes: int = 300) -> bytes:
    """A workbook-looking archive whose sheet inflates to hundreds of megabytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def lying_zip(real_megabytes: int = 20, declared: int = 1000) -> bytes:
    """A zip whose sheet claims to be tiny (both headers patched) but inflates to megabytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (real_megabytes * (1 << 20) // 6))
    data = bytearray(out.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    # Local file header: 30 bytes before the name, uncompressed size at offset 22.
    local = data.find(name) - 30
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, declared)
    # Central directory entries: the name at offset 46, uncompressed size at offset 24.
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46:central + 46 + len(name)] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def not_a_zip_xlsx() -> bytes:
    return "Это не таблица, а текст, сохранённый с расширением .xlsx\n".encode()


def xls_ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    return out.getvalue()
