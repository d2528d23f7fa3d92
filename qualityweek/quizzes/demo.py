"""Demo data of this app (a step of qualityweek/demo/steps.py): the operator's library of three
quizzes, the Kirov teacher's copy of one of them, and one finished game with its results (played
by the engine itself, so the figures are what a real game would store)."""

from __future__ import annotations

import random
import secrets

from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext
from qualityweek.directory.models import Role, RoleAssignment

from . import engine, services
from .library import LIBRARY
from .models import Answer, Game, Player, Question, Quiz

TEACHER = "teacher@demo.qualityweek.ru"
NICKNAMES = ["Весёлый Енот", "Смелая Лиса", "Мудрый Филин", "Быстрая Белка", "Ловкий Бобр", "Зоркая Сова",
             "Добрый Дельфин", "Звёздная Панда", "Хитрый Барсук", "Ясная Чайка", "Бодрый Ёж", "Упорная Выдра",
             "Солнечный Кит", "Чуткая Косуля", "Внимательный Волк", "Находчивая Рысь", "Смелый Пингвин",
             "Весёлая Зебра", "Быстрый Тигр", "Мудрая Ласточка", "Ловкая Куница", "Зоркий Лось",
             "Добрая Жирафа", "Ясный Суслик"]


def build(ctx: DemoContext) -> dict[str, int]:
    system = Actor.system()
    library = []
    for data in LIBRARY:
        quiz = services.create_quiz(actor=system, organisation=None, title=data["title"],
                                    description=data["description"], age_group=data["age_group"], is_published=True)
        for question in data["questions"]:
            services.save_question(actor=system, quiz=quiz, **question)
        library.append(quiz)
    games = 0
    assignment = (RoleAssignment.objects.filter(user__email=TEACHER, role=Role.TEACHER)
                  .select_related("user", "organisation").first())
    if assignment is not None and assignment.organisation is not None:
        teacher = Actor(user=assignment.user)
        copy = services.copy_quiz(actor=teacher, quiz=library[0], organisation=assignment.organisation)
        _played_game(teacher, copy, random.Random(ctx.seed * 17 + 3))
        games = 1
    return {"квизов в библиотеке": len(library), "сыгранных игр": games}


def _answer_for(q: engine.QuestionSpec, rng: random.Random, skill: float) -> object:
    right = rng.random() < skill
    if q.kind in (engine.SINGLE, engine.TRUE_FALSE):
        return sorted(q.correct)[:1] if right else [rng.choice([i for i in range(len(q.options))
                                                              if i not in q.correct])]
    if q.kind == engine.MULTIPLE:
        return sorted(q.correct) if right else sorted(q.correct)[:1]
    if q.kind == engine.ORDERING:
        order = list(range(len(q.options)))
        if not right:
            order[0], order[1] = order[1], order[0]
        return order
    if q.kind == engine.TYPED:
        return q.accepted[0] if right else "Росстандарт"
    if q.kind == engine.ESTIMATE:
        return (q.target or 0) + rng.randint(-3, 3) * (1 if right else 4)
    return [rng.randrange(len(q.options))]  # a poll


def _played_game(teacher: Actor, quiz: Quiz, rng: random.Random) -> Game:
    game = services.start_game(actor=teacher, quiz=quiz, scoring=Game.Scoring.ACCURACY)
    e = engine.Engine([engine.QuestionSpec.from_dict(q) for q in game.questions], mode=game.scoring)
    players = [(e.join(name, secrets.token_urlsafe(8)), 0.45 + rng.random() * 0.5) for name in NICKNAMES]
    clock = 0.0
    while e.open_next(clock) is not None:
        q = e.question
        if q is None:
            break
        if q.kind != engine.SLIDE:
            for n, (player, skill) in enumerate(players):
                at = clock + rng.uniform(2, (q.seconds or 30) * 0.8)
                e.answer(player.id, f"demo-{e.index}-{n}", e.index, _answer_for(q, rng, skill), at)
        clock += (q.seconds or 30) + 5
        e.close()
        e.break_streaks(e.index)
    services.record_round(
        actor=Actor.system(), game_id=game.pk, status=Game.Status.FINISHED,
        players=[{"id": p.id, "nickname": p.nickname, "score": p.score, "kicked": False} for p, _ in players],
        answers=[{"player_id": r.player_id, "question": r.question, "answer_id": r.answer_id, "value": r.value,
                  "fraction": r.fraction, "correct": r.correct, "points": r.points, "elapsed": r.elapsed}
                 for r in e.answers.values()])
    return game


def wipe() -> None:
    Answer.objects.all().delete()
    Player.objects.all().delete()
    Game.objects.all().delete()
    Question.objects.all().delete()
    Quiz.objects.filter(organisation__isnull=False).delete()
    Quiz.objects.all().delete()
