"""Russian cases for letter addressees: positions and organisations in the dative («Министру
образования Кировской области»), people's names (petrovich, including indeclinable surnames) and
the salutation that agrees with them («Уважаемый Иван Иванович!»)."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

import pymorphy3
from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

_WORD_RE = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*")
# The head of a position or organisation name: adjectives/participles, then the first noun.
_AGREEING = {"ADJF", "PRTF", "NUMR"}


@functools.cache
def _morph() -> pymorphy3.MorphAnalyzer:
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)  # it announces loading its dictionaries
    return pymorphy3.MorphAnalyzer()


@functools.cache
def _petrovich() -> Petrovich:
    return Petrovich()


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _nominative_parse(word: str, plural: bool | None):
    """The word's nominative reading (a noun or an agreeing adjective), or None."""
    parses = [p for p in _morph().parse(word) if "nomn" in p.tag and ({"NOUN"} | _AGREEING) & {p.tag.POS}]
    if plural is not None:
        number = "plur" if plural else "sing"
        parses = [p for p in parses if number in p.tag] or parses
    # "Главное управление", "Исполняющий обязанности": read an adjective before its noun first.
    parses.sort(key=lambda p: p.tag.POS not in _AGREEING)
    return parses[0] if parses else None


def _only_nominative(word: str, plural: bool) -> bool:
    """True when ``word`` reads as a nominative of this number and never as a genitive: after «и»
    such a word starts a second head («… и индивидуальные предприниматели»), while «… и науки»
    (a genitive too) is a dependent of the first one and stays as it is."""
    parses = [p for p in _morph().parse(word) if ({"NOUN"} | _AGREEING) & {p.tag.POS}]
    number = "plur" if plural else "sing"
    return (any("nomn" in p.tag and number in p.tag for p in parses)
            and not any("gent" in p.tag or "gen2" in p.tag for p in parses))


def _inflect_head(phrase: str, case: str) -> str:
    """Inflect the leading noun group (agreeing words up to the first noun) of ``phrase``, and a
    second group joined to it by «и» when that group is in the nominative too."""
    out: list[str] = []
    pos = 0
    plural: bool | None = None
    done = False
    for m in _WORD_RE.finditer(phrase):
        word = m.group(0)
        if done:
            # "Руководители организаций и индивидуальные предприниматели": a coordinated second head.
            if plural is None or word.lower() != "и":
                continue
            nxt = _WORD_RE.search(phrase, m.end())
            if nxt is None or not _only_nominative(nxt.group(0), plural):
                continue
            rest = _inflect_head(phrase[m.end():], case)
            return "".join(out) + phrase[pos:m.end()] + rest
        parse = _nominative_parse(word, plural)
        if parse is None:
            if not out and any(p.tag.POS == "ADVB" for p in _morph().parse(word)):
                continue  # "Временно исполняющий обязанности": the adverb stays as it is
            break
        if plural is None:
            plural = "plur" in parse.tag
        grammemes = {case, "plur"} if plural else {case}
        inflected = parse.inflect(grammemes)
        out.append(phrase[pos:m.start()])
        out.append(_match_case(word, inflected.word) if inflected else word)
        pos = m.end()
        # A noun ends the group; so does a transitive participle used as a noun ("Исполняющий обязанности").
        if parse.tag.POS == "NOUN" or (parse.tag.POS == "PRTF" and "tran" in parse.tag):
            done = True
    out.append(phrase[pos:])
    return "".join(out)


def _inflect(phrase: str, case: str) -> str:
    # "Заместитель Председателя Правительства — министр образования": each part has its own head.
    # A dash before a capital belongs to a name ("Республики Северная Осетия — Алания") and is no split.
    parts = re.split(r"(\s+[—–-]\s+)(?=[а-яё])", phrase.strip())
    return "".join(part if i % 2 else _inflect_head(part, case) for i, part in enumerate(parts))


def dative(phrase: str) -> str:
    """Министр образования Кировской области → Министру образования Кировской области."""
    return _inflect(phrase, "datv")


def genitive(phrase: str) -> str:
    """Министерство образования Кировской области → Министерства образования Кировской области."""
    return _inflect(phrase, "gent")


# How the head of an authority is called, by the first word of its name.
_HEADS = {
    "министерство": "Министр",
    "департамент": "Директор департамента",
    "комитет": "Председатель комитета",
    "управление": "Начальник управления",
    "агентство": "Руководитель агентства",
    "служба": "Руководитель службы",
}


def head_position(organisation_name: str) -> str:
    """Министерство образования Кировской области → Министр образования Кировской области;
    Комитет по образованию Санкт-Петербурга → Председатель комитета по образованию Санкт-Петербурга."""
    name = " ".join(organisation_name.split())
    first, _, rest = name.partition(" ")
    head = _HEADS.get(first.lower())
    if head is None:
        return f"Руководитель {genitive(_lower_first(name))}".strip()
    if " " not in head:  # "Министр" replaces "Министерство"
        return f"{head} {rest}".strip()
    return f"{head.split()[0]} {genitive(_lower_first(name))}".strip()


def _lower_first(text: str) -> str:
    first, _, rest = text.partition(" ")
    return (first.lower() if not first.isupper() or len(first) < 2 else first) + (f" {rest}" if rest else "")


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    patronymic: str = ""

    @property
    def gender(self) -> Gender:
        p = self.patronymic.strip().lower()
        if p.endswith(("вна", "чна", "кызы", "гызы")):
            return Gender.FEMALE
        if p.endswith(("ич", "оглы", "улы", "уулу")):
            return Gender.MALE
        parses = _morph().parse(self.first_name)
        for parse in parses:
            if "Name" in parse.tag:
                return Gender.FEMALE if "femn" in parse.tag else Gender.MALE
        return Gender.ANDROGYNOUS

    @property
    def initials(self) -> str:
        return "\u00a0".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)

    def dative_surname(self) -> str:
        return "-".join(_petrovich().lastname(part, Case.DATIVE, self.gender) for part in self.last_name.split("-"))

    def dative_short(self) -> str:
        """И. И. Иванову — initials before the surname, as the addressee requisite writes a person."""
        return f"{self.initials}\u00a0{self.dative_surname()}".strip()

    def salutation(self) -> str:
        """Уважаемый Иван Иванович! / Уважаемая Ольга Николаевна!"""
        word = "Уважаемая" if self.gender == Gender.FEMALE else "Уважаемый"
        name = " ".join(p for p in (self.first_name, self.patronymic) if p)
        return f"{word} {name}!"


def parse_person(full_name: str) -> Person | None:
    """'Иванов Иван Иванович' → Person; None when it is not a surname and a first name."""
    parts = full_name.split()
    if len(parts) == 4 and parts[3].lower() in _TURKIC_PATRONYMIC:  # "Мамедов Ильхам Гейдар оглы"
        parts = [parts[0], parts[1], f"{parts[2]} {parts[3]}"]
    if len(parts) < 2 or len(parts) > 3:
        return None
    return Person(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


_TURKIC_PATRONYMIC = {"оглы", "кызы", "улы", "уулу", "гызы"}


def addressee_block(*, position: str, person: Person | None) -> str:
    """The addressee requisite: position (with its organisation) in the dative, then the person."""
    lines = [dative(position)]
    if person is not None:
        lines.append(person.dative_short())
    return "\n".join(lines)


COLLECTIVE_SALUTATION = "Уважаемые коллеги!"


def salutation_for(person: Person | None, collective: str = COLLECTIVE_SALUTATION) -> str:
    return person.salutation() if person is not None else collective
