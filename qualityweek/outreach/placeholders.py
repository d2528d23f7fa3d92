"""Campaign placeholders in letter templates: {{год}}, {{неделя}}, {{день_качества}} and friends.

An unknown name, a value the campaign does not have, or a broken brace is an error listed before
anything is registered or sent; nothing is ever sent with a raw ``{{…}}`` left in it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from qualityweek.core.text import MONTHS_GENITIVE

# The feedback address of the operator's letters (seed 000); settings.OUTREACH_FEEDBACK_EMAIL overrides it.
FEEDBACK_EMAIL = "tabolova@roskachestvo.gov.ru"

PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# name -> what it means (shown to the author beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "год": "год кампании (2026)",
    "неделя": "даты Недели качества («9–15 ноября»)",
    "неделя_с_по": "даты Недели качества словами («с 9 по 15 ноября»)",
    "день_качества": "День качества («12 ноября»)",
    "девиз": "девиз года",
    "срок_отчётов": "срок отчётов («15 декабря 2026 года»)",
    "сайт": "страница Дня качества на сайте платформы",
    "материалы": "ссылка на библиотеку материалов",
    "обращения": "ссылка на форму обращений",
    "почта": "почта для обратной связи",
    "орган": "наименование отправителя в тексте («министерство промышленности … Кировской области»)",
}


def _key(name: str) -> str:
    return name.strip().lower().replace("ё", "е").replace(" ", "_")


_KEYS = {_key(name): name for name in PLACEHOLDERS}


def _day_month(d) -> str:
    return f"{d.day}\u00a0{MONTHS_GENITIVE[d.month - 1]}"


def campaign_values(campaign) -> dict[str, str]:
    """The placeholder values of one campaign ("" where the campaign has no value yet)."""
    if campaign is None:
        return {}
    start, end = campaign.week_start, campaign.week_end
    if start.month == end.month:
        week = f"{start.day}-{end.day}\u00a0{MONTHS_GENITIVE[end.month - 1]}"
    else:
        week = f"{_day_month(start)} – {_day_month(end)}"
    site = settings.SITE_URL
    return {
        "год": str(campaign.year),
        "неделя": week,
        "неделя_с_по": f"с {start.day} по {_day_month(end)}" if start.month == end.month
        else f"с {_day_month(start)} по {_day_month(end)}",
        "день_качества": _day_month(campaign.quality_day),
        "девиз": campaign.motto.strip(),
        "срок_отчётов": f"{_day_month(campaign.report_deadline)} {campaign.report_deadline.year} года",
        "сайт": f"{site}/campaigns/{campaign.year}/",
        "материалы": f"{site}/outreach/materials/?campaign={campaign.year}",
        "обращения": f"{site}/outreach/requests/new/",
        "почта": getattr(settings, "OUTREACH_FEEDBACK_EMAIL", FEEDBACK_EMAIL),
    }


def values_for(campaign, sender) -> dict[str, str]:
    """Campaign values plus the sender's own name as a sentence uses it."""
    values = campaign_values(campaign)
    if sender is not None and sender.organisation_id and sender.organisation:
        # "министерство промышленности … Кировской области" as it reads inside a sentence.
        first, _, rest = sender.organisation.name.partition(" ")
        values["орган"] = (first.lower() if not first.isupper() else first) + (f" {rest}" if rest else "")
    elif sender is not None:
        values["орган"] = sender.short_name  # the operator's name is a proper name: "Роскачество"
    return values


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def problems(texts: Mapping[str, str], values: Mapping[str, str] | None,
             require_values: bool = True) -> list[Problem]:
    """Every unknown, unfilled or malformed placeholder in ``texts`` (field name -> text)."""
    found: list[Problem] = []
    for field, text in texts.items():
        if not text:
            continue
        stripped = PLACEHOLDER_RE.sub("", text)
        if "{{" in stripped or "}}" in stripped:
            found.append(Problem(field, "Незакрытая подстановка: проверьте фигурные скобки «{{» и «}}»."))
        for m in PLACEHOLDER_RE.finditer(text):
            name = _KEYS.get(_key(m.group(1)))
            if name is None:
                found.append(Problem(field, f"Неизвестная подстановка «{m.group(0)}». Допустимы: "
                                            + ", ".join("{{" + n + "}}" for n in PLACEHOLDERS) + "."))
            elif not require_values:
                continue
            elif values is None:
                found.append(Problem(field, f"Подстановку «{m.group(0)}» нечем заполнить: выберите кампанию."))
            elif not values.get(name):
                found.append(Problem(field, f"Подстановка «{m.group(0)}» не заполнена: у кампании нет значения "
                                            f"«{PLACEHOLDERS[name]}». Заполните его в кампании."))
    return found


def validate(texts: Mapping[str, str], values: Mapping[str, str] | None, require_values: bool = True) -> None:
    found = problems(texts, values, require_values)
    if found:
        errors: dict[str, list[str]] = {}
        for p in found:
            messages = errors.setdefault(p.field, [])
            if p.message not in messages:
                messages.append(p.message)
        raise ValidationError(errors)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Substitute the placeholders; call ``validate`` first (an unknown one raises KeyError)."""
    return PLACEHOLDER_RE.sub(lambda m: values[_KEYS[_key(m.group(1))]], text)
