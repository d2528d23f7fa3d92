"""A registry through which a feature app offers its activities as report targets to another
feature app, without either importing the other (siblings may not, see docs/architecture.md).

The activities app registers, from its AppConfig.ready(), what a quiz game may be attached to and
how the players are added to the report; the quizzes app calls the functions below. Nothing is
registered → no targets, and adding raises ``LookupError`` (a programming error)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Targets = Callable[..., list[tuple[int, str]]]
Add = Callable[..., None]


@dataclass(frozen=True)
class Reporting:
    targets: Targets  # (user, kinds=(...)) -> [(activity id, label)]
    add_participants: Add  # (actor, activity_id, category, count, link) -> None; ValidationError when refused
    categories: Sequence[tuple[str, str]]  # participant categories (code, Russian label)


_registered: list[Reporting] = []


def register(reporting: Reporting) -> None:
    _registered[:] = [reporting]


def _get() -> Reporting:
    if not _registered:
        raise LookupError("No reporting target is registered (the activities app registers it).")
    return _registered[0]


def report_targets(user: Any, kinds: tuple[str, ...] = ("quiz", "intellectual_game")) -> list[tuple[int, str]]:
    return _get().targets(user, kinds=kinds) if _registered else []


def categories() -> list[tuple[str, str]]:
    return list(_get().categories) if _registered else []


def add_participants(*, actor: Any, activity_id: int, category: str, count: int, link: str) -> None:
    _get().add_participants(actor=actor, activity_id=activity_id, category=category, count=count, link=link)
