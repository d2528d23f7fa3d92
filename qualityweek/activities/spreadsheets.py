"""Reading a regional activities spreadsheet (XLSX or CSV) into validated rows.

The file is checked before it is parsed (size, real format, the zip's declared and actual
uncompressed sizes), headers are matched leniently (case, spaces, «ё», punctuation, synonyms), and
every row is validated with the same rules as the web forms (``services.validate_plan`` and
``services.validate_report``) plus the checks only an import needs: the organisation is known and
belongs to the coordinator's region and sector, the type is known, counts are whole numbers, the
row is not repeated. Every problem becomes a ``RowError`` with the row number and the column header
as the user sees them in Excel (the header row is row 1 when it is the first row).

No database writes happen here; organisations and types are read once into dictionaries, so
validating 50,000 rows costs a handful of queries.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.models import Organisation, Region, Sector, organisation_key

from . import services
from .models import CATEGORY_FIELDS, Activity, ActivityType, Category

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_UNCOMPRESSED_BYTES = 250 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members big enough to matter
MAX_ZIP_ENTRIES = 1000
MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
HEADER_SCAN_ROWS = 10
MAX_STORED_ERRORS = 20_000


class SpreadsheetError(Exception):
    """The whole file is unusable; the message is Russian and says what to do."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    cell: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "cell": self.cell, "message": self.message}


# --- columns -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the template
    synonyms: tuple[str, ...] = ()
    help: str = ""


def _pupil_synonyms(a: str, b: str) -> tuple[str, ...]:
    out = []
    for noun in ("учащиеся", "учащихся", "обучающиеся", "обучающихся", "ученики", "учеников", "школьники"):
        out += [f"{noun} {a}-{b} классов", f"{noun} {a}-{b} кл", f"{noun} {a}-{b} класс"]
    out += [f"{a}-{b} классы", f"{a}-{b} класс", f"{a}-{b} классов", f"{a}-{b} кл"]
    return tuple(out)


COLUMNS: tuple[Column, ...] = (
    Column("inn", "ИНН организации", ("ИНН", "ИНН ОО", "ИНН учреждения", "ИНН образовательной организации",
                                      "ИНН предприятия", "ИНН участника"),
           "10 или 12 цифр. Если ИНН указан, организация ищется по нему."),
    Column("organisation", "Организация", (
        "Наименование организации", "Название организации", "Полное наименование организации",
        "Краткое наименование организации", "Образовательная организация", "Наименование ОО", "ОО",
        "Учреждение", "Наименование учреждения", "Предприятие", "Наименование предприятия",
        "Организация-участник", "Наименование образовательной организации"),
           "Точное название из реестра платформы; нужно, если ИНН не указан."),
    Column("type", "Тип мероприятия", ("Вид мероприятия", "Тип", "Вид", "Форма мероприятия"),
           "Название или код из листа «Типы мероприятий»."),
    Column("title", "Название мероприятия", ("Наименование мероприятия", "Мероприятие", "Название", "Тема",
                                             "Тема мероприятия", "Наименование"),
           "До 300 символов."),
    Column("starts_on", "Дата начала", ("Дата проведения", "Дата", "Начало", "Дата мероприятия",
                                        "Дата начала мероприятия", "Дата начала проведения", "Сроки проведения"),
           "14.11.2026, 14 ноября 2026 или 2026-11-14."),
    Column("ends_on", "Дата окончания", ("Окончание", "Дата окончания мероприятия", "Дата завершения",
                                         "Дата окончания проведения"),
           "Если пусто — совпадает с датой начала."),
    Column("format", "Формат", ("Формат проведения", "Форма проведения", "Очно/онлайн"),
           "очно, онлайн или гибридно; если пусто — очно."),
    Column("pupils_1_4", Category.PUPILS_1_4.label, (*_pupil_synonyms("1", "4"), "Начальная школа")),
    Column("pupils_5_9", Category.PUPILS_5_9.label, _pupil_synonyms("5", "9")),
    Column("pupils_10_11", Category.PUPILS_10_11.label, _pupil_synonyms("10", "11")),
    Column("students", Category.STUDENTS.label, ("Студенты", "Студентов", "Студентов колледжей",
                                                 "Студенты СПО", "Обучающиеся СПО", "Студенты колледжей и техникумов")),
    Column("teachers", Category.TEACHERS.label, ("Педагогов", "Учителя", "Учителей", "Педагогические работники",
                                                 "Педагогических работников", "Преподаватели")),
    Column("parents", Category.PARENTS.label, ("Родителей", "Родители (законные представители)")),
    Column("employees", Category.EMPLOYEES.label, ("Сотрудников", "Работники", "Работников", "Персонал")),
    Column("customers", Category.CUSTOMERS.label, ("Клиенты", "Клиентов", "Посетители", "Посетителей",
                                                   "Покупатели", "Покупателей", "Гости", "Клиенты/посетители")),
    Column("links", "Ссылки на публикации", ("Ссылки", "Ссылка", "Ссылка на публикацию", "Публикации",
                                             "Ссылки на публикации в СМИ и соцсетях", "URL"),
           "Через пробел, с новой строки или через «;»."),
    Column("description", "Описание", ("Краткое описание", "Описание мероприятия", "Комментарий")),
    Column("is_public", "Показывать в афише", ("Публичное", "Публиковать", "Афиша", "Открытое мероприятие"),
           "да или нет; если пусто — нет."),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_HEADERS = [c.header for c in COLUMNS]
IGNORED_HEADERS = {"№", "№ п/п", "N", "N п/п", "Номер", "Регион", "Муниципалитет", "Муниципальное образование",
                   "Населённый пункт", "Статус", "Сфера", "Опоздание", "С опозданием", "Отправлено", "Код типа",
                   "ID", "Всего участников", "Всего", "Итого", "Источник"}
_SPLIT = re.compile(r"[^0-9a-zа-я№]+")
_FILLER_WORDS = {"количество", "кол", "во", "колво", "число", "участников", "участники", "из", "них", "чел",
                 "человек", "в", "том"}


def normalise(text: Any) -> str:
    """Case, «ё», punctuation and spacing do not count."""
    return " ".join(_SPLIT.split(str(text).casefold().replace("ё", "е"))).strip()


def _strip_filler(norm: str) -> str:
    words = norm.split()
    while words and words[0] in _FILLER_WORDS:
        words.pop(0)
    while words and words[-1] in _FILLER_WORDS:
        words.pop()
    return " ".join(words)


HEADER_INDEX: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, _c.key, *_c.synonyms):
        HEADER_INDEX.setdefault(normalise(_name), _c.key)
_IGNORED = {normalise(h) for h in IGNORED_HEADERS}


def header_key(text: Any) -> str | None:
    """The column a header means, or None."""
    norm = normalise(text)
    if not norm:
        return None
    return HEADER_INDEX.get(norm) or HEADER_INDEX.get(_strip_filler(norm))


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class HeaderMap:
    row: int  # spreadsheet row number of the header
    index: dict[str, int]  # column key -> position in the row
    headers: dict[str, str]  # column key -> header text as in the file
    letters: dict[str, str]  # column key -> Excel letter
    unknown: list[str] = field(default_factory=list)

    def label(self, key: str) -> str:
        """The column name to show in an error: the user's own header, or ours if the column is absent."""
        if key in self.headers:
            return self.headers[key]
        return COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else key

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters[key]}{row}" if key in self.letters else ""


REQUIRED = ("type", "title", "starts_on")


def match_headers(rows: Sequence[Sequence[Any]], *, first_row: int = 1, first_col: int = 0) -> HeaderMap:
    """Find the header row among the first rows (a title above the table is common) and map it."""
    best: tuple[int, int] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = sum(1 for v in row if header_key(v))
        if hits >= 3 and (best is None or hits > best[1]):
            best = (i, hits)
    if best is None:
        seen = next((r for r in rows[:HEADER_SCAN_ROWS] if any(str(v).strip() for v in r)), [])
        found = ", ".join(f"«{str(v).strip()}»" for v in seen if str(v).strip())[:300]
        raise SpreadsheetError(
            "Не найдена строка заголовков: ожидаются столбцы «ИНН организации» или «Организация», "
            "«Тип мероприятия», «Название мероприятия», «Дата начала» и другие из шаблона. "
            + (f"В файле первая заполненная строка: {found}. " if found else "Файл пуст. ")
            + "Скачайте шаблон и перенесите данные в него.")
    i = best[0]
    hmap = HeaderMap(row=first_row + i, index={}, headers={}, letters={})
    for pos, value in enumerate(rows[i]):
        text = " ".join(str(value).split())
        if not text:
            continue
        key = header_key(value)
        letter = column_letter(first_col + pos)
        if key is None:
            if normalise(text) not in _IGNORED:
                hmap.unknown.append(f"«{text}» ({letter})")
            continue
        if key in hmap.index:
            raise SpreadsheetError(
                f"Столбцы «{hmap.headers[key]}» ({hmap.letters[key]}) и «{text}» ({letter}) означают одно и то же "
                f"(«{COLUMN_BY_KEY[key].header}»): оставьте один из них.")
        hmap.index[key], hmap.headers[key], hmap.letters[key] = pos, text, letter
    missing = [COLUMN_BY_KEY[k].header for k in REQUIRED if k not in hmap.index]
    if "inn" not in hmap.index and "organisation" not in hmap.index:
        missing.insert(0, "ИНН организации» или «Организация")
    if missing:
        raise SpreadsheetError(
            "В таблице нет " + ("обязательного столбца" if len(missing) == 1 else "обязательных столбцов") + ": "
            + ", ".join(f"«{m}»" for m in missing)
            + f" (заголовки — в строке {hmap.row}). Скачайте шаблон: в нём все столбцы названы как нужно.")
    return hmap


# --- values ------------------------------------------------------------------------------------------

MONTHS = (("янв", 1), ("фев", 2), ("мар", 3), ("апр", 4), ("май", 5), ("мая", 5), ("июн", 6), ("июл", 7),
          ("авг", 8), ("сен", 9), ("окт", 10), ("ноя", 11), ("дек", 12))
EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORD_DATE = re.compile(r"^(\d{1,2})\s*([а-я]+)\.?\s*(\d{4})$")
_DAY_ONLY = re.compile(r"^(\d{1,2})$")
_RANGE_SPLIT = re.compile(r"\s*[-–—]\s*|\s+по\s+")
_YEAR_SUFFIX = re.compile(r"\s*(?:г\.?|года?)\s*$")
DATE_HINT = "Пишите дату так: 14.11.2026, 14 ноября 2026 или 2026-11-14."


class ValueProblem(ValueError):
    """A cell value that cannot be understood; the message is Russian."""


def _month(word: str) -> int | None:
    for prefix, number in MONTHS:
        if word.startswith(prefix):
            return number
    return None


def _make_date(year: int, month: int, day: int, raw: str) -> dt.date:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(f"Такой даты нет: «{raw}».") from None


def _serial(number: float, raw: Any) -> dt.date:
    day = int(number + 1e-6)  # a date-time serial keeps its day
    if not 36526 <= day <= 73050:  # 2000-01-01 .. 2099-12-31: anything else is not a date someone meant
        raise ValueProblem(f"«{raw}» не похоже на дату. {DATE_HINT}")
    return EXCEL_EPOCH + dt.timedelta(days=day)


def _text_date(text: str, raw: Any) -> dt.date:
    if m := _NUMERIC_DATE.match(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), raw)
    if m := _ISO_DATE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _WORD_DATE.match(text):
        month = _month(m[2])
        if month:
            return _make_date(int(m[3]), month, int(m[1]), raw)
    if text.isdigit() and len(text) == 5:
        return _serial(float(text), raw)
    raise ValueProblem(f"Не удалось распознать дату «{raw}». {DATE_HINT}")


def parse_dates(value: Any) -> tuple[dt.date, dt.date | None] | None:
    """A date cell: (start, end of a range written in the same cell or None); None when empty.

    Understands real date cells, Excel serial numbers, «14.11.2026», «14.11.26», «2026-11-14»,
    «14 ноября 2026», «14 ноября 2026 г.», and ranges «14–15.11.2026», «9–15 ноября 2026 г.»."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        raise ValueProblem(f"«{value}» не похоже на дату. {DATE_HINT}")
    if isinstance(value, (int, float)):
        return _serial(float(value), value), None
    raw = " ".join(str(value).replace("\u00a0", " ").split())
    if not raw:
        return None
    text = _YEAR_SUFFIX.sub("", raw.casefold().replace("ё", "е"))
    try:
        return _text_date(text, raw), None
    except ValueProblem as first_problem:
        parts = _RANGE_SPLIT.split(text.removeprefix("с ").strip())
        if len(parts) != 2:
            raise first_problem from None
        left, right = (_YEAR_SUFFIX.sub("", p) for p in parts)
        end = _text_date(right, raw)
        if m := _DAY_ONLY.match(left):
            start = _make_date(end.year, end.month, int(m[1]), raw)
        elif m := re.match(r"^(\d{1,2})[./](\d{1,2})$", left):
            start = _make_date(end.year, int(m[2]), int(m[1]), raw)
        elif m := re.match(r"^(\d{1,2})\s*([а-я]+)\.?$", left):
            month = _month(m[2])
            if not month:
                raise first_problem from None
            start = _make_date(end.year, month, int(m[1]), raw)
        else:
            start = _text_date(left, raw)
        return start, end


def parse_date(value: Any) -> dt.date | None:
    parsed = parse_dates(value)
    return parsed[0] if parsed else None


_DASHES = {"-", "–", "—", "нет"}


def parse_count(value: Any) -> int:
    """A participant count: blank or a dash is 0; whole numbers only (sign kept for the rules)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueProblem(f"«{'ИСТИНА' if value else 'ЛОЖЬ'}» — не число участников.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem("Число участников не распознано.")
        if value != int(value):
            raise ValueProblem(f"Число участников должно быть целым, а не {value:g}.")
        return int(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise ValueProblem(f"«{value}» — не число участников (ячейка в формате даты или времени).")
    text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if not text or text.casefold() in _DASHES:
        return 0
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if m := re.fullmatch(r"([+-]?\d+)[.,]0+", text):
        return int(m[1])
    if re.fullmatch(r"[+-]?\d+[.,]\d+", text):
        raise ValueProblem(f"Число участников должно быть целым, а не «{value}».")
    raise ValueProblem(f"«{str(value)[:40]}» — не число. Укажите число участников цифрами (пусто — 0).")


FORMATS = {
    Activity.Format.IN_PERSON: ("очно", "очный", "очная", "очное", "офлайн", "оффлайн", "in person", "in_person"),
    Activity.Format.ONLINE: ("онлайн", "он лайн", "online", "дистанционно", "дистанционный", "дистанционная",
                             "дистанционное", "заочно"),
    Activity.Format.HYBRID: ("гибридно", "гибрид", "гибридный", "гибридная", "гибридное", "hybrid", "смешанный",
                             "смешанная", "смешанное", "очно онлайн", "очно и онлайн", "очно дистанционно",
                             "очно и дистанционно"),
}
FORMAT_INDEX: dict[str, str] = {normalise(word): code for code, words in FORMATS.items() for word in words}
for _code, _label in Activity.Format.choices:
    FORMAT_INDEX.setdefault(normalise(_label), _code)


def parse_format(value: Any) -> str:
    norm = normalise(value) if value is not None else ""
    if not norm:
        return Activity.Format.IN_PERSON
    code = FORMAT_INDEX.get(norm)
    if code is None:
        raise ValueProblem(f"Формат «{str(value)[:40]}» не распознан: укажите «очно», «онлайн» или «гибридно».")
    return code


_YES = {"да", "д", "yes", "y", "1", "true", "истина", "x", "х", "v", "публичное", "показывать"}
_NO = {"нет", "н", "no", "n", "0", "false", "ложь", "не показывать"}


def parse_flag(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip()
    if text in {"+"}:
        return True
    if text in {"-", "–", "—"}:
        return False
    norm = normalise(text)
    if norm in _YES:
        return True
    if norm in _NO or not norm:
        return False
    raise ValueProblem(f"«{text[:40]}»: укажите «да» или «нет».")


_LINK_SPLIT = re.compile(r"[\s;]+")


def split_links(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    links = []
    for part in _LINK_SPLIT.split(str(value)):
        part = part.strip().rstrip(",")
        if not part:
            continue
        if part.casefold().startswith("www."):
            part = "https://" + part
        links.append(part)
    return links


def text_of(value: Any) -> str:
    """A cell as the user reads it: whole floats without «.0», dates as dd.mm.yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    return str(value).strip()


def parse_inn(value: Any) -> str:
    text = re.sub(r"[\s\u00a0]", "", text_of(value))
    if not text:
        return ""
    if not text.isdigit():
        raise ValueProblem(f"ИНН «{text[:20]}» должен состоять только из цифр (10 или 12).")
    if len(text) in (9, 11):  # Excel dropped the leading zero of a region code 01-09
        text = "0" + text
    if len(text) not in (10, 12):
        raise ValueProblem(f"ИНН «{text}» должен состоять из 10 или 12 цифр.")
    return text


def title_key(title: str) -> str:
    return normalise(title)


def import_key(organisation_id: int, type_id: int, starts_on: dt.date, ends_on: dt.date, title: str) -> str:
    """What makes two imported rows the same activity; stored on the activity."""
    raw = f"{organisation_id}|{type_id}|{starts_on.isoformat()}|{ends_on.isoformat()}|{title_key(title)}"
    return hashlib.sha256(raw.encode()).hexdigest()


# --- file checks and reading -------------------------------------------------------------------------

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


# --- validation --------------------------------------------------------------------------------------

@dataclass
class CleanRow:
    """One row that passed every check, ready to become an activity."""

    row: int
    organisation_id: int
    type_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    format: str
    is_public: bool
    description: str
    links: list[str]
    counts: dict[str, int]
    key: str

    def to_list(self) -> list[Any]:
        return [self.row, self.organisation_id, self.type_id, self.title, self.starts_on.isoformat(),
                self.ends_on.isoformat(), self.format, self.is_public, self.description, self.links,
                [self.counts[f] for f in CATEGORY_FIELDS], self.key]

    @classmethod
    def from_list(cls, v: list[Any]) -> CleanRow:
        return cls(row=v[0], organisation_id=v[1], type_id=v[2], title=v[3],
                   starts_on=dt.date.fromisoformat(v[4]), ends_on=dt.date.fromisoformat(v[5]), format=v[6],
                   is_public=v[7], description=v[8], links=v[9], counts=dict(zip(CATEGORY_FIELDS, v[10], strict=True)),
                   key=v[11])


@dataclass
class Result:
    rows_total: int = 0
    valid: list[CleanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    already_present: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


@dataclass(frozen=True)
class _Problem:
    message: str


def _scope_name(region: Region, sector: str) -> str:
    return f"{region.short_name}, сфера «{Sector(sector).label.lower()}»"


class Validator:
    """Validates rows for one coordinator scope (region + sector) in one campaign."""

    def __init__(self, *, campaign: Campaign, region: Region, sector: str, now: dt.datetime | None = None) -> None:
        self.campaign, self.region, self.sector = campaign, region, sector
        self.today = (now or timezone.now()).astimezone(region.zone).date()
        orgs = list(Organisation.objects.filter(region=region, sector=sector).select_related("region"))
        self.by_inn: dict[str, Organisation] = {o.inn: o for o in orgs if o.inn}
        self.by_name: dict[str, list[Organisation]] = {}
        for o in orgs:
            self.by_name.setdefault(normalise(o.name), []).append(o)
        self.types = list(ActivityType.objects.all())
        self.type_index: dict[str, ActivityType] = {}
        for t in self.types:
            self.type_index.setdefault(normalise(t.name), t)
            self.type_index.setdefault(normalise(t.code), t)
        self.type_tokens = [(set(normalise(t.name).split()), t) for t in self.types if t.is_active]
        self.outside_inn: dict[str, Organisation] = {}
        self.outside_name: dict[str, Organisation] = {}
        self.probes: dict[int, Activity] = {}
        # Cells repeat a lot (the same school, type, dates on many rows): each distinct value is
        # understood once. A memo keeps the answer or the problem.
        self.org_memo: dict[Any, Any] = {}
        self.type_memo: dict[Any, Any] = {}
        self.date_memo: dict[Any, Any] = {}
        self.format_memo: dict[Any, Any] = {}
        self.flag_memo: dict[Any, Any] = {}
        self.plan_memo: dict[tuple, dict[str, str]] = {}
        self.cols: dict[str, int] = {}

    @staticmethod
    def _memo(memo: dict[Any, Any], value: Any, parse: Callable[[Any], Any]) -> Any:
        try:
            found = memo[value]
        except KeyError:
            try:
                found = parse(value)
            except ValueProblem as exc:
                found = _Problem(str(exc))
            memo[value] = found
        except TypeError:  # an unhashable cell cannot be memoised (never from calamine or csv)
            return parse(value)
        if isinstance(found, _Problem):
            raise ValueProblem(found.message)  # a fresh exception each time: no growing traceback
        return found

    def _organisation(self, cells: tuple[Any, Any]) -> Organisation:
        inn = parse_inn(cells[0])
        return self.find_organisation(inn, " ".join(text_of(cells[1]).split()))

    def _type(self, value: Any) -> ActivityType:
        if value is None or not str(value).strip():
            raise ValueProblem("Укажите тип мероприятия.")
        return self.find_type(value)

    # Organisations outside the scope are looked up in bulk, only to say *why* a row is refused.
    def preload_outside(self, inns: Iterable[str], names: Iterable[str]) -> None:
        missing_inns = sorted({i for i in inns if i and i not in self.by_inn})
        for chunk in _chunks(missing_inns, 1000):
            for o in Organisation.objects.filter(inn__in=chunk).select_related("region"):
                self.outside_inn.setdefault(o.inn, o)
        missing_names = sorted({n for n in names if n and n not in self.by_name})
        for chunk in _chunks(missing_names, 100):
            q = Q(pk__in=[])
            for name in chunk:
                q |= Q(name_key__startswith=organisation_key(name, "").rstrip("|") + "|")
            for o in Organisation.objects.filter(q).select_related("region"):
                self.outside_name.setdefault(normalise(o.name), o)

    def find_type(self, value: Any) -> ActivityType:
        norm = normalise(value)
        found = self.type_index.get(norm)
        if found:
            return found
        words = set(norm.split())
        candidates = [t for tokens, t in self.type_tokens if words and words <= tokens]
        if len(candidates) == 1:
            return candidates[0]
        hint = "; возможно: " + ", ".join(f"«{t.name}»" for t in candidates[:3]) if candidates else ""
        raise ValueProblem(f"Тип «{text_of(value)[:60]}» не найден в справочнике{hint}. Список типов — на листе "
                           "«Типы мероприятий» шаблона.")

    def find_organisation(self, inn: str, name: str) -> Organisation:
        scope = _scope_name(self.region, self.sector)
        if inn:
            org = self.by_inn.get(inn)
            if org:
                return org
            other = self.outside_inn.get(inn)
            if other:
                raise ValueProblem(self._outside(other, f"с ИНН {inn}"))
            raise ValueProblem(f"Организация с ИНН {inn} не найдена в реестре ({scope}). Проверьте ИНН или "
                               "сначала добавьте организацию в реестр.")
        norm = normalise(name)
        if not norm:
            raise ValueProblem("Укажите ИНН или название организации.")
        matches = self.by_name.get(norm, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueProblem(f"В реестре несколько организаций с названием «{name[:80]}»: укажите ИНН.")
        other = self.outside_name.get(norm)
        if other:
            raise ValueProblem(self._outside(other, f"«{name[:80]}»"))
        raise ValueProblem(f"Организация «{name[:80]}» не найдена в реестре ({scope}). Название должно "
                           "совпадать с реестром; надёжнее указать ИНН.")

    def _outside(self, org: Organisation, what: str) -> str:
        if org.region_id != self.region.pk:
            where = f"к региону «{org.region.short_name}»"
        else:
            where = f"к сфере «{org.get_sector_display().lower()}»"
        return (f"Организация {what} относится {where}; загружать можно только мероприятия организаций "
                f"своего региона и сферы ({_scope_name(self.region, self.sector)}).")

    def validate(self, sheet: Sheet, *, on_progress: Callable[[int, int], None] | None = None) -> Result:
        if sheet.merged:
            listed = ", ".join(sheet.merged[:5]) + (" и другие" if len(sheet.merged) > 5 else "")
            raise SpreadsheetError(f"В таблице есть объединённые ячейки ({listed}). Разъедините их и заполните "
                                   "значение в каждой строке: одна строка — одно мероприятие.")
        hmap = match_headers(sheet.rows, first_row=sheet.first_row, first_col=sheet.first_col)
        result = Result()
        if hmap.unknown:
            result.notes.append("Эти столбцы не распознаны и пропущены: " + ", ".join(hmap.unknown[:10]) + ".")
        start = hmap.row - sheet.first_row + 1
        body = sheet.rows[start:]
        idx = hmap.index
        # Every column gets a position; absent ones point at an empty cell added after the last one.
        width = max(idx.values()) + 1
        self.cols = {c.key: idx.get(c.key, width) for c in COLUMNS}
        pad = [""] * (width + 1)

        def get(row: Sequence[Any], i: int | None) -> Any:
            return row[i] if i is not None and i < len(row) else None

        org_idx, inn_idx = idx.get("organisation"), idx.get("inn")
        inns, names = set(), set()
        for row in body:
            try:
                inn = parse_inn(get(row, inn_idx))
            except ValueProblem:
                inn = ""
            if inn:
                inns.add(inn)
            elif org_idx is not None:
                names.add(normalise(get(row, org_idx) or ""))
        self.preload_outside(inns, names)

        seen: dict[str, int] = {}
        total = len(body)
        for n, row in enumerate(body):
            number = hmap.row + 1 + n
            if not any(v is not None and str(v).strip() for v in row):
                continue  # empty rows are skipped silently
            result.rows_total += 1
            if result.rows_total > MAX_ROWS:
                raise SpreadsheetError(f"В таблице больше {MAX_ROWS:,} строк. ".replace(",", "\u00a0")
                                       + "Разбейте её на несколько файлов.")
            if len(row) <= width:
                row = [*row, *pad[len(row):]]
            clean, errors = self.validate_row(number, row, hmap)
            if clean is not None:
                first = seen.get(clean.key)
                if first is not None:
                    errors.append(RowError(number, hmap.label("title"),
                                           f"Строка повторяет строку {first}: та же организация, тип, даты и "
                                           "название.", hmap.cell("title", number)))
                    clean = None
                else:
                    seen[clean.key] = number
            if errors:
                if len(result.errors) < MAX_STORED_ERRORS:
                    result.errors.extend(errors)
            elif clean is not None:
                result.valid.append(clean)
            if on_progress and n % 1000 == 0:
                on_progress(n, total)
        if on_progress:
            on_progress(total, total)
        if result.rows_total == 0:
            raise SpreadsheetError(f"В таблице нет ни одной строки с данными под заголовками (строка {hmap.row}).")
        return result

    def validate_row(self, number: int, row: Sequence[Any], hmap: HeaderMap) -> tuple[CleanRow | None, list[RowError]]:
        """One row; ``row`` has a cell for every column position in ``self.cols``."""
        idx, col = hmap.index, self.cols
        errors: list[RowError] = []

        def err(key: str, message: str) -> None:
            errors.append(RowError(number, hmap.label(key), message, hmap.cell(key, number)))

        org_key = "inn" if "inn" in idx else "organisation"
        organisation = kind = None
        try:
            inn_value, name_value = row[col["inn"]], row[col["organisation"]]
            if not inn_value and "organisation" in idx:
                org_key = "organisation"
            organisation = self._memo(self.org_memo, (inn_value, name_value), self._organisation)
        except ValueProblem as exc:
            err(org_key, str(exc))
        type_value = row[col["type"]]
        try:
            kind = self._memo(self.type_memo, type_value, self._type)
        except ValueProblem as exc:
            err("type", str(exc))
        title = " ".join(text_of(row[col["title"]]).split())
        if len(title) > MAX_TITLE:
            err("title", f"Название длиннее {MAX_TITLE} символов ({len(title)}).")
        starts: dt.date | None = None
        ends: dt.date | None = None
        range_end: dt.date | None = None
        bad_start = bad_end = False  # already reported: no second message about a missing date
        try:
            parsed = self._memo(self.date_memo, row[col["starts_on"]], parse_dates)
            if parsed:
                starts, range_end = parsed
        except ValueProblem as exc:
            err("starts_on", str(exc))
            bad_start = True
        try:
            parsed = self._memo(self.date_memo, row[col["ends_on"]], parse_dates)
            ends = parsed[0] if parsed else None
        except ValueProblem as exc:
            err("ends_on", str(exc))
            bad_end = True
        if ends is None and not bad_end:
            ends = range_end or starts
        if ends is None and (bad_start or starts is None):
            bad_end = True  # an empty end follows the start, whose problem is already reported
        fmt: str = Activity.Format.IN_PERSON
        try:
            fmt = self._memo(self.format_memo, row[col["format"]], parse_format)
        except ValueProblem as exc:
            err("format", str(exc))
        is_public = False
        try:
            is_public = self._memo(self.flag_memo, row[col["is_public"]], parse_flag)
        except ValueProblem as exc:
            err("is_public", str(exc))
        counts: dict[str, int] = {}
        bad_counts: set[str] = set()
        for f in CATEGORY_FIELDS:
            value = row[col[f]]
            if type(value) is int or (type(value) is float and value.is_integer() and value >= 0):
                counts[f] = int(value)
                continue
            try:
                counts[f] = parse_count(value)
            except ValueProblem as exc:
                err(f, str(exc))
                counts[f] = 0
                bad_counts.add(f)
        description = text_of(row[col["description"]])
        if len(description) > MAX_DESCRIPTION:
            err("description", f"Описание длиннее {MAX_DESCRIPTION} символов.")
        links = split_links(row[col["links"]])

        if organisation is None:
            return None, errors
        # The form rules, reused: plan (type, title, dates in the campaign window, organisation state) ...
        # validate_plan depends only on these values (the campaign is fixed): same inputs, same answer.
        plan_key = (organisation.pk, kind.pk if kind else None, bool(title), starts, ends)
        plan_errors = self.plan_memo.get(plan_key)
        if plan_errors is None:
            plan = {"type": kind, "title": title, "starts_on": starts, "ends_on": ends}
            plan_errors = services.validate_plan(campaign=self.campaign, organisation=organisation, data=plan)
            self.plan_memo[plan_key] = plan_errors
        for field_name, message in plan_errors.items():
            if (field_name == "type" and kind is None) or (field_name == "starts_on" and bad_start) or (
                    field_name == "ends_on" and bad_end):
                continue  # the import already said what is wrong there
            if field_name == "ends_on" and "ends_on" not in idx:
                field_name = "starts_on"
            err({"__all__": org_key}.get(field_name, field_name), message)
        # ... and report (counts by category, links, size plausibility).
        if kind is not None:
            # validate_report reads only the type, the organisation and the sector of the activity.
            probe = self.probes.get(organisation.pk)
            if probe is None:
                probe = self.probes[organisation.pk] = Activity(organisation=organisation, type=kind,
                                                                sector=organisation.sector)
            elif probe.type_id != kind.pk:
                probe.type = kind
            report = {**counts, "links": links}
            report_errors = services.validate_report(activity=probe, data=report)
            flagged = {k for k in report_errors if k in CATEGORY_FIELDS and counts[k]} | bad_counts
            for field_name, message in report_errors.items():
                key = field_name
                if key == "pupils_1_4" and key not in flagged:
                    # The organisation-size check: show it on the biggest learner count, unless a count
                    # is already wrong (an absurd number explains it).
                    if flagged:
                        continue
                    key = max(services.LEARNERS, key=lambda f: counts[f])
                if key in CATEGORY_FIELDS and key not in idx:
                    key = next((f for f in CATEGORY_FIELDS if f in idx and counts[f]), key)
                err(key, message)
            # Imported rows arrive as submitted reports, so they meet what services.submit asks of one.
            if ends is not None:
                problems = services.validate_submission(kind=kind, ends_on=ends, today=self.today, counts=counts,
                                                        description=description, links=links)
                for field_name, message in problems.items():
                    if field_name == "ends_on" and "ends_on" not in idx:
                        field_name = "starts_on"
                    elif field_name in CATEGORY_FIELDS:
                        field_name = next((f for f in kind.categories if f in idx), field_name)
                    elif field_name == "description" and "description" not in idx and "links" in idx:
                        field_name = "links"
                    err(field_name, message)
        if errors or kind is None or starts is None or ends is None:
            return None, errors
        return CleanRow(row=number, organisation_id=organisation.pk, type_id=kind.pk, title=title,
                        starts_on=starts, ends_on=ends, format=fmt, is_public=is_public,
                        description=description, links=links, counts=counts,
                        key=import_key(organisation.pk, kind.pk, starts, ends, title)), errors


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
