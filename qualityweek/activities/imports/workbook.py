"""Reading the workbook: the upload's cheap checks (size, real format by magic bytes, the zip's
declared and actual uncompressed sizes) and reading the first visible sheet of an XLSX
(python-calamine) or a CSV (UTF-8, UTF-8 with BOM or cp1251; «;», «,» or tab) into rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .headers import HEADER_SCAN_ROWS, column_letter
from .problems import SpreadsheetError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_UNCOMPRESSED_BYTES = 250 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members big enough to matter
MAX_ZIP_ENTRIES = 1000


def detect_kind(name: str, head: bytes) -> str:
    """'xlsx' or 'csv' by content (the name only breaks ties); anything else is refused."""
    lower = name.casefold()
    if head.startswith(b"PK\x03\x04"):
        if lower.endswith(".csv"):
            raise SpreadsheetError("Файл назван .csv, но это архив (похоже на XLSX): сохраните его с расширением "
                                   ".xlsx или выгрузите как CSV.")
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError("Это файл старого формата Excel 97–2003 (.xls) или другой документ Office. "
                               "Откройте его в Excel и сохраните как «Книга Excel (.xlsx)» или CSV.")
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")):
        raise SpreadsheetError("Это не таблица: загрузите файл XLSX или CSV.")
    if lower.endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("Файл назван .xlsx, но это не книга Excel: откройте его в Excel и сохраните "
                               "как «Книга Excel (.xlsx)», или загрузите CSV.")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError("Файл не похож ни на XLSX, ни на CSV: загрузите таблицу в одном из этих форматов.")
    if lower.endswith((".csv", ".txt")) or not lower.rpartition(".")[1]:
        return "csv"
    raise SpreadsheetError("Поддерживаются файлы XLSX и CSV: сохраните таблицу в одном из этих форматов.")


def check_xlsx(data: bytes) -> None:
    """Refuse archives that would unpack to far more than they weigh (zip bombs), before parsing.

    The declared sizes are checked first, then every member is inflated in a stream with a running
    cap, so a member that lies about its size is caught too (zipfile checks the CRC at the end)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError("Файл повреждён или это не книга Excel (.xlsx): откройте его в Excel и "
                               "сохраните заново.") from None
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise SpreadsheetError("Это архив, но не книга Excel (.xlsx): загрузите таблицу XLSX или CSV.")
        if len(infos) > MAX_ZIP_ENTRIES:
            raise SpreadsheetError("В книге слишком много внутренних частей: файл отклонён как небезопасный.")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetError(f"Книга в распакованном виде занимает {declared // 2**20} МБ — больше "
                                   f"допустимых {MAX_UNCOMPRESSED_BYTES // 2**20} МБ. Разбейте её на части.")
        for info in infos:
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise SpreadsheetError("Файл сжат подозрительно сильно (похоже на «zip-бомбу») и отклонён. "
                                       "Сохраните таблицу заново в Excel.")
        total = 0
        try:
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED_BYTES:
                            raise SpreadsheetError("Книга распаковывается в слишком большой объём и отклонена.")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
                RuntimeError, ValueError):
            raise SpreadsheetError("Файл повреждён (архив книги не читается): откройте его в Excel и "
                                   "сохраните заново.") from None


def check_upload(name: str, data: bytes) -> str:
    """Cheap checks done at upload time; returns the kind of file."""
    if not data:
        raise SpreadsheetError("Файл пуст.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(f"Файл больше {MAX_UPLOAD_BYTES // 2**20} МБ. Разбейте таблицу на несколько файлов.")
    kind = detect_kind(name, data[:8192])
    if kind == "xlsx":
        check_xlsx(data)
    return kind


@dataclass
class Sheet:
    rows: list[list[Any]]
    first_row: int  # spreadsheet row number of rows[0]
    first_col: int  # 0-based column of rows[i][0]
    merged: list[str] = field(default_factory=list)


def read_xlsx(data: bytes) -> Sheet:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = book.sheets_metadata
        index = next((i for i, m in enumerate(meta)
                      if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible), None)
        if index is None:
            raise SpreadsheetError("В книге нет видимого листа с таблицей.")
        sheet = book.get_sheet_by_index(index)
        if sheet.height > MAX_ROWS + HEADER_SCAN_ROWS + 1:
            raise SpreadsheetError(f"В таблице {sheet.height} строк — больше допустимых {MAX_ROWS:,}. "
                                   "Разбейте её на несколько файлов.".replace(",", "\u00a0"))
        rows = sheet.to_python()
        start = sheet.start or (0, 0)
        merged = []
        for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
            merged.append(f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}")
    except SpreadsheetError:
        raise
    except (CalamineError, ValueError, OSError, RuntimeError) as exc:
        raise SpreadsheetError(f"Не удалось прочитать книгу Excel ({str(exc)[:120]}). Откройте её в Excel и "
                               "сохраните заново как .xlsx.") from None
    return Sheet(rows=rows, first_row=start[0] + 1, first_col=start[1], merged=merged)


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    letters = sum(1 for ch in text[:5000] if "а" <= ch.casefold() <= "я" or ch.isascii())
    if letters < 0.8 * min(len(text), 5000):
        raise SpreadsheetError("Не удалось определить кодировку CSV: сохраните файл в UTF-8 или Windows-1251.")
    return text


def read_csv(data: bytes) -> Sheet:
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise SpreadsheetError("Не удалось прочитать CSV: сохраните файл в кодировке UTF-8 или Windows-1251.") \
            from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count) if any(d in first_line for d in ";,\t") else ";"
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS + 1:
                raise SpreadsheetError(f"В таблице больше {MAX_ROWS:,} строк. ".replace(",", "\u00a0")
                                       + "Разбейте её на несколько файлов.")
    except csv.Error as exc:
        raise SpreadsheetError(f"CSV-файл повреждён ({exc}): проверьте кавычки и разделители.") from None
    return Sheet(rows=rows, first_row=1, first_col=0)


def read_sheet(kind: str, data: bytes) -> Sheet:
    return read_xlsx(data) if kind == "xlsx" else read_csv(data)


