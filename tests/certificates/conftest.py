from __future__ import annotations

import pytest

from qualityweek.activities import services as activity_services
from qualityweek.certificates.kinds import Kind
from qualityweek.certificates.sources import SOURCES, Holder, Source, Subject, register
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Role
from tests import factories as f

# A source whose holders a test sets: players of game 1 by key, nickname and reason.
PLAYERS: dict[str, tuple[str, str]] = {}


def _players(subject: Subject) -> list[Holder]:
    return [Holder(key=key, name=name, reason=reason, region_id=None) for key, (name, reason) in PLAYERS.items()]


PLAYERS_SOURCE = SOURCES.get("tests.players") or register(Source(
    code="tests.players", kind=Kind.QUIZ_PLAYERS, label="Тестовые игроки", holders=_players,
    subjects=lambda: [(1, "Игра № 1")]))


@pytest.fixture
def players():
    PLAYERS.clear()
    yield PLAYERS
    PLAYERS.clear()


@pytest.fixture
def kirov(world, campaign, make_activity):
    """Two Kirov schools and a company with approved activities, one school with a submitted one only,
    a Moscow school with an approved one; a teacher at the first school (world.teacher)."""
    make_activity(world.kirov_school, status="approved")
    make_activity(world.kirov_school, status="approved")
    second = f.organisation("43", name="МОАУ Лицей № 21 г. Кирова", email="lyceum21@example.ru")
    f.user(Role.ORG_REP, org=second, email="rep21@example.ru")
    make_activity(second, status="approved", by=f.user(Role.ORG_REP, org=second, email="rep21b@example.ru"))
    pending = f.organisation("43", name="МКОУ ООШ д. Бахта")
    make_activity(pending, status="submitted", by=f.user(Role.ORG_REP, org=pending))
    make_activity(world.kirov_company, type_code="open_day", status="approved", customers=300)
    moscow_rep = f.user(Role.ORG_REP, org=world.moscow_school)
    activity = make_activity(world.moscow_school, status="submitted", by=moscow_rep)
    activity_services.approve(actor=Actor(user=world.moscow_edu), activity=activity)
    world.teacher.last_name, world.teacher.first_name, world.teacher.patronymic = "Петрова", "Мария", "Сергеевна"
    world.teacher.save()
    return {"second": second, "pending": pending}
