"""Nicknames: a generated Russian «adjective + animal» pair, and a small profanity filter.

The filter folds the nickname (case, «ё», Latin look-alike letters, digits used as letters, anything
that is not a letter) and looks for a few word stems. It errs on the side of refusing: a child can
always take a generated name.
"""

from __future__ import annotations

import re
import secrets

MIN_LEN, MAX_LEN = 2, 20

_ADJECTIVES = [("Весёлый", "Весёлая"), ("Смелый", "Смелая"), ("Быстрый", "Быстрая"), ("Мудрый", "Мудрая"),
               ("Ловкий", "Ловкая"), ("Добрый", "Добрая"), ("Звёздный", "Звёздная"), ("Солнечный", "Солнечная"),
               ("Хитрый", "Хитрая"), ("Зоркий", "Зоркая"), ("Бодрый", "Бодрая"), ("Ясный", "Ясная"),
               ("Чуткий", "Чуткая"), ("Упорный", "Упорная"), ("Внимательный", "Внимательная"),
               ("Находчивый", "Находчивая")]
_ANIMALS = [("Ёж", "m"), ("Барсук", "m"), ("Енот", "m"), ("Филин", "m"), ("Бобр", "m"), ("Волк", "m"),
            ("Тигр", "m"), ("Дельфин", "m"), ("Пингвин", "m"), ("Кит", "m"), ("Лось", "m"), ("Суслик", "m"),
            ("Лиса", "f"), ("Сова", "f"), ("Белка", "f"), ("Рысь", "f"), ("Панда", "f"), ("Выдра", "f"),
            ("Зебра", "f"), ("Жирафа", "f"), ("Чайка", "f"), ("Ласточка", "f"), ("Косуля", "f"), ("Куница", "f")]

# Stems of Russian obscene and insulting words, folded as ``fold`` folds a nickname. Short stems
# must start a word (so «рубля» or «гребля» pass); long ones are refused anywhere.
_STEMS = ("хуй", "хуе", "хуи", "хуя", "пизд", "ебан", "еблан", "ебат", "ебал", "бля", "сука", "суки", "суч",
          "мудак", "мудил", "пидор", "пидр", "гандон", "гондон", "залуп", "шлюх", "дроч", "жоп", "говн",
          "дерьм", "дебил", "идиот", "чмо", "урод", "нацист", "гитлер")
_ANYWHERE = 5

_LOOKALIKE = str.maketrans({"a": "а", "b": "б", "c": "с", "e": "е", "k": "к", "m": "м", "h": "н", "o": "о",
                            "p": "р", "t": "т", "x": "х", "y": "у", "u": "и", "3": "з", "0": "о", "6": "б",
                            "4": "ч", "@": "а", "ё": "е"})
_NOT_LETTER = re.compile(r"[^а-я]")
_ALLOWED = re.compile(r"^[\w .\-ёЁ]+$")


def fold(text: str) -> str:
    return _NOT_LETTER.sub("", text.casefold().translate(_LOOKALIKE))


def _words(nickname: str) -> list[str]:
    """Folded words; letters spelled apart («х у й») are joined into one word."""
    words: list[str] = []
    spelled = False
    for word in (fold(w) for w in re.split(r"[\s.\-_]+", nickname)):
        if not word:
            continue
        if len(word) == 1 and spelled:
            words[-1] += word
        else:
            words.append(word)
            spelled = len(word) == 1
    return words


def is_offensive(nickname: str) -> bool:
    words = _words(nickname)
    joined = "".join(words)
    return any(stem in joined if len(stem) >= _ANYWHERE else any(w.startswith(stem) for w in words)
               for stem in _STEMS)


def _generated() -> list[str]:
    """Every adjective + animal that fits the length limit («Внимательная Ласточка» is 21 letters)."""
    names = (f"{adjective[0] if gender == 'm' else adjective[1]} {animal}"
             for adjective in _ADJECTIVES for animal, gender in _ANIMALS)
    return [name for name in names if len(name) <= MAX_LEN]


def generate() -> str:
    return secrets.choice(GENERATED)


def check(nickname: str) -> str | None:
    """A Russian message when the nickname cannot be used, else None."""
    name = " ".join(nickname.split())
    if not MIN_LEN <= len(name) <= MAX_LEN:
        return f"Имя в игре — от {MIN_LEN} до {MAX_LEN} символов."
    if not _ALLOWED.match(name):
        return "В имени можно использовать буквы, цифры, пробел, точку и дефис."
    if is_offensive(name):
        return "Это имя не подходит. Выберите другое или возьмите случайное."
    return None


def clean(nickname: str) -> str:
    return " ".join(nickname.split())


GENERATED = _generated()
