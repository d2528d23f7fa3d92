"""Russian typography for official letters: dates as letters write them, «ёлочки», dashes and
non-breaking spaces where a line must not break."""

from __future__ import annotations

import datetime as dt
import re

from qualityweek.core.text import MONTHS_GENITIVE

NBSP = "\u00a0"

# Short words that must stay with the word after them (prepositions, conjunctions, particles).
_SHORT = (
    "а", "без", "в", "во", "да", "для", "до", "за", "и", "из", "или", "к", "ко", "на", "над", "не", "ни",
    "но", "о", "об", "от", "по", "под", "при", "про", "с", "со", "у", "№", "г.", "гг.", "п.", "ст.", "т.",
)
_SHORT_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in _SHORT) + r") (?=\S)", re.IGNORECASE)
_INITIALS_RE = re.compile(r"\b([А-ЯЁA-Z])\.(\s*)([А-ЯЁA-Z])\.\s*([А-ЯЁ][а-яё-]+)")
_RANGE_RE = re.compile(r"\b(\d{1,4})\s?[-–]\s?(\d{1,4})\b(?!\.\d)")
_DASH_RE = re.compile(r"\s+[-–—]\s+")
_NUM_UNIT_RE = re.compile(r"(\d) (г\.|гг\.|года|году|млн|млрд|тыс\.|%|ноября|декабря|октября|января|"
                          r"февраля|марта|апреля|мая|июня|июля|августа|сентября)")
_QUOTE_RE = re.compile(r'"')


def letter_date(d: dt.date) -> str:
    """«22» октября 2024 г. — the date requisite of an outgoing letter."""
    return f"«{d.day:02d}»{NBSP}{MONTHS_GENITIVE[d.month - 1]} {d.year}{NBSP}г."


def numeric_date(d: dt.date) -> str:
    return f"{d:%d.%m.%Y}"


def _quotes(text: str) -> str:
    """Straight double quotes become «ёлочки», quotes inside quotes become „лапки“."""
    out: list[str] = []
    depth = 0
    for i, ch in enumerate(text):
        if ch != '"':
            out.append(ch)
            continue
        prev = text[i - 1] if i else " "
        opening = prev.isspace() or prev in "([{«„-—–/" or i == 0
        if opening:
            out.append("«" if depth == 0 else "„")
            depth += 1
        else:
            depth = max(depth - 1, 0)
            out.append("»" if depth == 0 else "“")
    return "".join(out)


def typograph(text: str) -> str:
    """Apply the typographic rules to one paragraph of plain text."""
    if not text:
        return text
    text = " ".join(text.split(" "))  # keep line breaks, collapse nothing else
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = _quotes(text)
    text = _DASH_RE.sub(f"{NBSP}— ", text)
    text = _RANGE_RE.sub(r"\1–\2", text)
    # Initials stay with the surname; "М.А." keeps its form, "М. А." gets a non-breaking space.
    text = _INITIALS_RE.sub(lambda m: f"{m[1]}.{NBSP if m[2] else ''}{m[3]}.{NBSP}{m[4]}", text)
    text = _NUM_UNIT_RE.sub(lambda m: f"{m[1]}{NBSP}{m[2]}", text)
    # Twice: "в о вопросах" style runs of short words overlap their matches.
    for _ in range(2):
        text = _SHORT_RE.sub(lambda m: m[1] + NBSP, text)
    return text


def plain(text: str) -> str:
    """Typographic text back to plain spaces, for comparisons and search."""
    return text.replace(NBSP, " ").replace("\u00ad", "")
