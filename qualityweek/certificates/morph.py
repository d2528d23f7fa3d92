"""A person's full name in the dative for a letter of thanks («Иванову Ивану Ивановичу»), with
petrovich; the gender comes from the patronymic (or, failing that, the first name's gender in pymorphy3's dictionary).

The outreach app has a richer helper for letter addressees, but it sits beside this app's callers
(above it), so this small one lives here."""

from __future__ import annotations

import functools
import logging

import pymorphy3
from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

_TURKIC = {"оглы": Gender.MALE, "улы": Gender.MALE, "уулу": Gender.MALE, "кызы": Gender.FEMALE,
           "гызы": Gender.FEMALE}


@functools.cache
def _morph() -> pymorphy3.MorphAnalyzer:
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)
    return pymorphy3.MorphAnalyzer()


@functools.cache
def _petrovich() -> Petrovich:
    return Petrovich()


def _gender(first: str, patronymic: str) -> Gender:
    p = patronymic.strip().lower()
    last_word = p.split()[-1] if p else ""
    if last_word in _TURKIC:
        return _TURKIC[last_word]
    if p.endswith(("вна", "чна")):
        return Gender.FEMALE
    if p.endswith("ич"):
        return Gender.MALE
    for parse in _morph().parse(first):
        if "Name" in parse.tag:
            return Gender.FEMALE if "femn" in parse.tag else Gender.MALE
    return Gender.ANDROGYNOUS


@functools.lru_cache(maxsize=4096)
def dative(full_name: str) -> str:
    """«Иванов Иван Иванович» → «Иванову Ивану Ивановичу»; a name that is not «surname first-name
    [patronymic]» is returned as it is (an organisation, a nickname, one word)."""
    parts = full_name.split()
    turkic = len(parts) == 4 and parts[3].lower() in _TURKIC
    if not (2 <= len(parts) <= 3 or turkic):
        return full_name
    last, first = parts[0], parts[1]
    patronymic = " ".join(parts[2:])
    gender = _gender(first, patronymic)
    pv = _petrovich()
    out = ["-".join(pv.lastname(x, Case.DATIVE, gender) for x in last.split("-")),
           pv.firstname(first, Case.DATIVE, gender)]
    if patronymic:
        if turkic:
            out += [pv.middlename(parts[2], Case.DATIVE, gender), parts[3]]
        else:
            out.append(pv.middlename(patronymic, Case.DATIVE, gender))
    return " ".join(out)
