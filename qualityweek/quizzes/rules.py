"""Who may do what with quizzes and games (see qualityweek.core.permissions).

- a quiz of an organisation: its representatives and teachers ``edit`` it and ``host`` games of it;
- a library quiz (no organisation): the operator ``edit``s it; anyone who represents or teaches at an
  organisation ``copy``s a published one into it;
- a game: its organisation's representatives and teachers ``host`` it (the host reconnects, a
  colleague takes over) and read its ``results``; a finished game not yet attached may be
  ``attach``ed to one of the organisation's activities (a self-paced game once its closing time has
  passed or the host closed it).

The system (the demo loader, the socket runtime recording rounds) acts on quizzes and games alike.
Players hold no role: the socket refuses them every host command.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from qualityweek.core.permissions import allow, rule, system_rule
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from .models import Game, Quiz

AUTHORS = (Role.ORG_REP, Role.TEACHER)

GAME_ACTIONS: dict[str, frozenset[str]] = {
    Game.Status.LOBBY: frozenset({"host", "results"}),
    Game.Status.RUNNING: frozenset({"host", "results"}),
    Game.Status.FINISHED: frozenset({"results", "attach"}),
}


def authors(user: Any) -> bool:
    p = principal(user)
    return any(roles & set(AUTHORS) for roles in p.organisations.values())


@rule(Quiz, "create")
def create_quiz(user: Any, quiz: Any) -> bool:
    return principal(user).is_operator or authors(user)


@rule(Quiz, "edit")
def edit_quiz(user: Any, quiz: Any) -> bool:
    if quiz.organisation_id is None:
        return principal(user).is_operator
    return principal(user).represents(quiz.organisation_id, *AUTHORS)


@rule(Quiz, "copy")
def copy_quiz(user: Any, quiz: Any) -> bool:
    return quiz.organisation_id is None and quiz.is_published and authors(user)


@rule(Quiz, "host")
def host_quiz(user: Any, quiz: Any) -> bool:
    return quiz.organisation_id is not None and principal(user).represents(quiz.organisation_id, *AUTHORS)


def _of_game(user: Any, game: Any) -> bool:
    return principal(user).represents(game.organisation_id, *AUTHORS)


@rule(Game, "host")
def host_game(user: Any, game: Any) -> bool:
    return _of_game(user, game) and "host" in GAME_ACTIONS[game.status]


@rule(Game, "results")
def game_results(user: Any, game: Any) -> bool:
    return _of_game(user, game)


@rule(Game, "attach")
def attach_game(user: Any, game: Any) -> bool:
    finished = game.status == Game.Status.FINISHED or (
        game.mode == Game.Mode.HOMEWORK and game.closes_at is not None and game.closes_at <= timezone.now())
    return _of_game(user, game) and finished and game.activity_id is None


system_rule(Quiz, "create", "edit", "copy", "host")(allow)
system_rule(Game, "host", "results", "attach", "record")(allow)
