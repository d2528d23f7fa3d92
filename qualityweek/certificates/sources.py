"""Where certificates come from: the feature apps above register sources, so the arrow points one
way (forum, contest, quizzes, activities → certificates) and this app never imports them.

A source answers «who gets one» for a subject (a campaign, a forum, a contest, a game) within a
scope; the certificates app numbers, renders, verifies, revokes and mails what it issues.
Register a source from the owning app's ``AppConfig.ready()``:

    from qualityweek.certificates.sources import Holder, Source, register
    register(Source(code="forum.attendance", kind="forum_attendance", label="…", holders=attendees))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    """One person or organisation a certificate is issued to, as the source app knows them."""

    key: str  # stable within the source and subject: "org:42", "registration:7", "player:9"
    name: str  # as printed, nominative case («Иванов Иван Иванович», «МБОУ СОШ № 5», a nickname)
    reason: str  # what for, printed under the name («за участие во Всемирной неделе качества 2026 г.»)
    is_person: bool = False  # a person's full name: templates may put it in the dative
    email: str = ""
    region_id: int | None = None
    sector: str = ""
    organisation_id: int | None = None
    user_id: int | None = None
    place: str = ""  # a prize place or distinction («Победитель», «II место»), empty when none


@dataclass(frozen=True)
class Subject:
    """What a bulk issue is about, and the scope it is narrowed to by whoever issues it."""

    subject_id: int  # the campaign, forum, contest or game id, as the source understands it
    region_id: int | None = None
    sector: str = ""
    organisation_id: int | None = None


@dataclass(frozen=True)
class Source:
    code: str  # "activities.participation", "forum.attendance", "contest.winners", "quizzes.players"…
    # The certificate kind it issues (certificates.kinds.Kind): "participation", "thanks",
    # "forum_attendance", "contest_diploma", "contest_participant", "quiz_players".
    kind: str
    label: str  # Russian, shown where a person picks what to issue
    holders: Callable[[Subject], Iterable[Holder]]
    # The subjects a person may pick from: (id, Russian label) pairs; the source filters by scope.
    subjects: Callable[[], Iterable[tuple[int, str]]] | None = None
    # The campaign year a subject belongs to (its identity and motto are printed); None: the issue year.
    campaign_year: Callable[[int], int | None] | None = None


def subject_label(source: Source, subject_id: int) -> str:
    """The Russian label of a subject as its source lists it, or an empty string."""
    for pk, label in (source.subjects() if source.subjects is not None else ()):
        if pk == subject_id:
            return label
    return ""


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    if SOURCES.get(source.code, source) is not source:
        raise ValueError(f"certificate source {source.code!r} is registered twice")
    SOURCES[source.code] = source
    return source


def get(code: str) -> Source:
    return SOURCES[code]
