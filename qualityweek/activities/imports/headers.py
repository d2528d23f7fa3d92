"""The import's columns and how a sheet's header row maps to them: headers match leniently (case,
spaces, «ё», punctuation, filler words, synonyms); the header row is found among the first rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Category
from .cells import normalise
from .problems import SpreadsheetError

HEADER_SCAN_ROWS = 10


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
_FILLER_WORDS = {"количество", "кол", "во", "колво", "число", "участников", "участники", "из", "них", "чел",
                 "человек", "в", "том"}


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


