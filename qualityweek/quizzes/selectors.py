"""Every read of quizzes and games, scoped at the source: a foreign quiz or game is a 404."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation

from . import engine
from .models import Answer, Game, Player, Quiz
from .rules import AUTHORS


def own_organisations(user: Any) -> list[int]:
    """Organisations where the user writes quizzes (representative or teacher)."""
    return sorted(org for org, roles in principal(user).organisations.items() if roles & set(AUTHORS))


def authoring_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=own_organisations(user), status=Organisation.Status.ACTIVE)


def quizzes_for(user: Any) -> QuerySet[Quiz]:
    """The user's organisations' quizzes and the library (the operator also sees unpublished library quizzes)."""
    library = Q(organisation__isnull=True) if principal(user).is_operator else Q(organisation__isnull=True,
                                                                               is_published=True)
    return (Quiz.objects.filter(library | Q(organisation_id__in=own_organisations(user)))
            .select_related("organisation").annotate(question_count=Count("questions")))


def quiz_for(user: Any, pk: int) -> Quiz:
    return get_object_or_404(quizzes_for(user), pk=pk)


def games_for(user: Any) -> QuerySet[Game]:
    return Game.objects.filter(organisation_id__in=own_organisations(user)).select_related("quiz", "organisation")


def game_for(user: Any, pk: int) -> Game:
    return get_object_or_404(games_for(user), pk=pk)


def live_game_by_pin(pin: str) -> Game | None:
    return Game.objects.filter(pin=pin, mode=Game.Mode.LIVE).exclude(status=Game.Status.FINISHED).first()


def homework_by_code(code: str) -> Game:
    """A self-paced game by the code of its link (any player may open it: the code is the secret)."""
    return get_object_or_404(Game.objects.select_related("organisation__region"), mode=Game.Mode.HOMEWORK,
                             code=code)


IMAGE_SALT = "quiz-game-image"


def image_url(game_id: int, n: int) -> str:
    """The URL of a game question's picture with the key that lets the game's players fetch it."""
    key = signing.dumps([game_id, n], salt=IMAGE_SALT, compress=False)
    return f"{reverse('quiz_game_image', args=[game_id, n])}?k={key}"


def image_key_valid(key: str, game_id: int, n: int) -> bool:
    try:
        return bool(key) and signing.loads(key, salt=IMAGE_SALT) == [game_id, n]
    except signing.BadSignature:
        return False


@dataclass
class QuestionResult:
    number: int
    text: str
    kind: str
    options: list[dict[str, Any]]  # text, count, correct, share (percent)
    answered: int
    correct_share: int | None  # percent of those who answered; None for a poll or a slide
    median_seconds: float | None


@dataclass
class Results:
    game: Game
    players: list[Player]
    questions: list[QuestionResult]
    per_player: list[dict[str, Any]]  # nickname, score, place, answers (per question: points or None)
    teams: list[dict[str, Any]]  # team, members, score (the members' average), place; empty without teams


def results(game: Game) -> Results:
    """Per question (distribution, share correct, median time) and per nickname, from a few queries."""
    players = list(game.players.filter(kicked=False).order_by("-score", "number"))
    answers = list(Answer.objects.filter(game=game).values("player_id", "question", "value", "correct", "points",
                                                            "elapsed_ms"))
    by_question: dict[int, list[dict[str, Any]]] = {}
    for a in answers:
        by_question.setdefault(a["question"], []).append(dict(a))
    questions = [_question_result(i, engine.QuestionSpec.from_dict(spec), by_question.get(i, []))
                 for i, spec in enumerate(game.questions)]
    grid: dict[tuple[int, int], int] = {(a["player_id"], a["question"]): a["points"] for a in answers}
    per_player = []
    last_score, place = None, 0
    for i, p in enumerate(players):
        if p.score != last_score:
            last_score, place = p.score, i + 1
        per_player.append({"nickname": p.nickname, "score": p.score, "place": place, "team": p.team,
                           "answers": [grid.get((p.pk, q)) for q in range(len(game.questions))]})
    return Results(game=game, players=players, questions=questions, per_player=per_player,
                   teams=_teams(game, players))


def _teams(game: Game, players: list[Player]) -> list[dict[str, Any]]:
    """The game's teams by their members' average score (the same rule as the live board)."""
    scores: dict[str, list[int]] = {t: [] for t in game.teams}
    for p in players:
        if p.team in scores:
            scores[p.team].append(p.score)
    average = {t: round(sum(s) / len(s), 1) if s else 0 for t, s in scores.items()}
    order = sorted(scores, key=lambda t: (-average[t], game.teams.index(t)))
    return [{"team": t, "members": len(scores[t]), "score": average[t], "place": n}
            for n, t in enumerate(order, start=1)]


def _question_result(i: int, q: engine.QuestionSpec, rows: list[dict[str, Any]]) -> QuestionResult:
    counts = [0] * len(q.options)
    if q.kind in engine.CHOICE_KINDS:
        for r in rows:
            for pick in r["value"] if isinstance(r["value"], list) else []:
                if 0 <= pick < len(counts):
                    counts[pick] += 1
    answered = len(rows)
    options = [{"text": text, "count": counts[n] if q.kind in engine.CHOICE_KINDS else None,
                "correct": n in q.correct, "share": round(100 * counts[n] / answered) if answered else 0}
               for n, text in enumerate(q.options)]
    scored = [r for r in rows if r["correct"] is not None]
    share = round(100 * sum(1 for r in scored if r["correct"]) / len(scored)) if scored else None
    median = round(statistics.median(r["elapsed_ms"] for r in rows) / 1000, 1) if rows else None
    return QuestionResult(number=i + 1, text=q.text, kind=q.kind, options=options, answered=answered,
                          correct_share=None if q.kind in engine.UNSCORED else share, median_seconds=median)


def finished_game_summary(game_id: int) -> tuple[int, str, str]:
    """(players, title, results URL) of a finished game, for a report that cites it."""
    game = Game.objects.get(pk=game_id, status=Game.Status.FINISHED)
    return game.player_count, game.title, reverse("quiz_game_results", args=[game.pk])
