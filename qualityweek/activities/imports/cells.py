"""Per-field cell parsers: dates (one or a range, in the formats people type, or Excel serials),
whole counts, the format, yes/no flags, links, text, INN; and the keys that spot a repeated row.
Each raises ``ValueProblem`` with a Russian message."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from ..models import Activity
from .problems import ValueProblem

_SPLIT = re.compile(r"[^0-9a-zа-я№]+")


def normalise(text: Any) -> str:
    """Case, «ё», punctuation and spacing do not count."""
    return " ".join(_SPLIT.split(str(text).casefold().replace("ё", "е"))).strip()





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
    typed = _typed_date(value)
    if typed is not None:
        return typed, None
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
        start = _range_start(left, end, raw)
        if start is None:
            raise first_problem from None
        return start, end


def _typed_date(value: Any) -> dt.date | None:
    """A cell that is a real date or an Excel serial number; None for text (read by the caller)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueProblem(f"«{value}» не похоже на дату. {DATE_HINT}")
    if isinstance(value, (int, float)):
        return _serial(float(value), value)
    return None


def _range_start(left: str, end: dt.date, raw: str) -> dt.date | None:
    """The first day of «14–15.11.2026», «14.11–15.11.2026», «9 ноября – 15 ноября 2026»: the start
    borrows the month and year it leaves out from the end. None for an unknown month word."""
    if m := _DAY_ONLY.match(left):
        return _make_date(end.year, end.month, int(m[1]), raw)
    if m := re.match(r"^(\d{1,2})[./](\d{1,2})$", left):
        return _make_date(end.year, int(m[2]), int(m[1]), raw)
    if m := re.match(r"^(\d{1,2})\s*([а-я]+)\.?$", left):
        month = _month(m[2])
        return _make_date(end.year, month, int(m[1]), raw) if month else None
    return _text_date(left, raw)


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


