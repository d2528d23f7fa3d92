"""The kinds of certificate: how each is titled and worded, and the prefix of its numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    PARTICIPATION = "participation", "Сертификат участника (организация)"
    THANKS = "thanks", "Благодарственное письмо"
    FORUM_ATTENDANCE = "forum_attendance", "Сертификат участника форума"
    CONTEST_DIPLOMA = "contest_diploma", "Диплом конкурса"
    CONTEST_PARTICIPANT = "contest_participant", "Сертификат участника конкурса"
    QUIZ_PLAYERS = "quiz_players", "Сертификат игрока викторины"


@dataclass(frozen=True)
class KindSpec:
    title: str  # the big word on the document
    subtitle: str
    lead: str  # the line before the holder's name
    prefix: str  # of the human number: «СУ-2026-00017»
    dative: bool = False  # a person's name is printed in the dative («Иванову Ивану Ивановичу»)


SPECS: dict[str, KindSpec] = {
    Kind.PARTICIPATION: KindSpec("Сертификат", "участника", "выдан", "СУ"),
    Kind.THANKS: KindSpec("Благодарственное письмо", "", "Роскачество выражает благодарность", "БП", dative=True),
    Kind.FORUM_ATTENDANCE: KindSpec("Сертификат", "участника форума", "выдан", "СФ"),
    Kind.CONTEST_DIPLOMA: KindSpec("Диплом", "", "награждается", "ДК"),
    Kind.CONTEST_PARTICIPANT: KindSpec("Сертификат", "участника конкурса", "выдан", "СК"),
    Kind.QUIZ_PLAYERS: KindSpec("Сертификат", "игрока викторины", "выдан игроку", "СВ"),
}

# Who signs every certificate (the national operator; the same letterhead the outreach seed uses).
ISSUER = "Роскачество"
ISSUER_FULL = "Автономная некоммерческая организация «Российская система качества» (Роскачество)"
SIGNER_POSITION = "Руководитель Роскачества"
SIGNER_NAME = "М.\u00a0А.\u00a0Протасов"


def spec(kind: str) -> KindSpec:
    return SPECS[kind]


def format_number(kind: str, year: int, n: int) -> str:
    return f"{SPECS[kind].prefix}-{year}-{n:05d}"
