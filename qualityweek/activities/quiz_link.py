"""What a finished quiz game may be attached to, and how its players enter the report: the two
callables this app registers in ``core.reporting`` (the quizzes app, a sibling, calls them there).

Only an activity of the user's own organisation, of a quiz-like type, that may still be edited
(planned or returned) is offered; the players are added to the chosen category through
``services.save_report`` (so the report's own checks and the audit apply), and the report's
description gets a line linking back to the game's results."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from qualityweek.core.reporting import Reporting, register
from qualityweek.core.text import count_ru, date_ru
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from . import selectors, services
from .models import Activity, Category
from .rules import ACTIVITY_ACTIONS

EDITABLE = sorted(status for status, actions in ACTIVITY_ACTIONS.items() if "edit" in actions)
QUIZ_KINDS = ("quiz", "intellectual_game")


def _candidates(user: Any, kinds: tuple[str, ...]) -> Any:
    own = sorted(org for org, roles in principal(user).organisations.items() if roles & {Role.ORG_REP, Role.TEACHER})
    return (selectors.activities_for(user).filter(organisation_id__in=own, type__code__in=kinds,
                                                  status__in=EDITABLE)
            .order_by("-starts_on", "-id"))


def targets(user: Any, kinds: tuple[str, ...] = QUIZ_KINDS) -> list[tuple[int, str]]:
    return [(a.pk, f"{a.title} — {a.type.name}, {date_ru(a.starts_on)} ({a.get_status_display().lower()})")
            for a in _candidates(user, kinds)[:200]]


def add_participants(*, actor: Any, activity_id: int, category: str, count: int, link: str) -> None:
    activity: Activity | None = _candidates(actor.user, QUIZ_KINDS).filter(pk=activity_id).first()
    if activity is None:
        raise ValidationError({"activity": "Выберите квиз или интеллектуальную игру вашей организации, "
                                           "отчёт о которой ещё не отправлен."})
    if category not in activity.type.categories:
        raise ValidationError({"category": f"Для типа «{activity.type.name}» категория не учитывается."})
    note = f"Результаты квиза ({count_ru(count, 'игрок', 'игрока', 'игроков')}): {link}"
    description = f"{activity.description.rstrip()}\n{note}".strip() if link not in activity.description else \
        activity.description
    services.save_report(actor=actor, activity=activity, description=description,
                         **{category: getattr(activity, category) + count})


def ready() -> None:
    register(Reporting(targets=targets, add_participants=add_participants,
                       categories=[(c.value, c.label) for c in Category]))
