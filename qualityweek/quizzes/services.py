"""Every write to quizzes and games: author, copy, start a game, record its rounds, attach it to
an activity. Each one is checked with ``require`` and audited (rounds are recorded in bulk by the
socket runtime acting as the system, without an audit entry per answer)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from qualityweek.core import audit, reporting
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import require
from qualityweek.directory.models import Organisation

from . import engine, transfer
from .models import MAX_SECONDS, MIN_SECONDS, Answer, Game, Player, Question, Quiz

QUIZ_FIELDS = ("title", "description", "age_group", "is_published")
QUESTION_FIELDS = ("kind", "text", "options", "correct", "accepted", "target", "tolerance", "seconds", "points",
                   "explanation")
MAX_OPTIONS, MAX_OPTION_LEN, MAX_QUESTIONS = 6, 120, 100
TRUE_FALSE_OPTIONS = ["Верно", "Неверно"]


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


# --- quizzes -------------------------------------------------------------------------------------------

def validate_quiz(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "Укажите название квиза."
    elif len(title) > 200:
        errors["title"] = "Название — не длиннее 200 символов."
    if data.get("age_group") not in Quiz.AgeGroup.values:
        errors["age_group"] = "Выберите возрастную группу."
    return errors


@transaction.atomic
def create_quiz(*, actor: Actor, organisation: Organisation | None, title: str, description: str = "",
                age_group: str = Quiz.AgeGroup.GRADES_5_9, is_published: bool = False) -> Quiz:
    quiz = Quiz(organisation=organisation, title=title.strip(), description=description.strip(),
                age_group=age_group, is_published=is_published and organisation is None, created_by=actor.user)
    require(actor, "create", Quiz)
    require(actor, "edit", quiz)
    _raise(validate_quiz({"title": title, "age_group": age_group}))
    quiz.save()
    audit.record(actor=actor, action="quiz.create", obj=quiz, after=audit.snapshot(quiz))
    return quiz


@transaction.atomic
def update_quiz(*, actor: Actor, quiz: Quiz, **fields: Any) -> Quiz:
    quiz = Quiz.objects.select_for_update(of=("self",)).get(pk=quiz.pk)
    require(actor, "edit", quiz)
    data = {k: fields.get(k, getattr(quiz, k)) for k in QUIZ_FIELDS}
    _raise(validate_quiz(data))
    before = audit.snapshot(quiz)
    quiz.title, quiz.description = data["title"].strip(), (data["description"] or "").strip()
    quiz.age_group, quiz.is_published = data["age_group"], bool(data["is_published"]) and quiz.is_library
    quiz.save()
    audit.record(actor=actor, action="quiz.update", obj=quiz, before=before, after=audit.snapshot(quiz))
    return quiz


@transaction.atomic
def copy_quiz(*, actor: Actor, quiz: Quiz, organisation: Organisation) -> Quiz:
    """A library quiz copied into the organisation, questions and all, to edit freely."""
    require(actor, "copy", quiz)
    copy = Quiz(organisation=organisation, title=quiz.title, description=quiz.description,
                age_group=quiz.age_group, copied_from=quiz, created_by=actor.user)
    require(actor, "edit", copy)
    copy.save()
    Question.objects.bulk_create([
        Question(quiz=copy, **{f: getattr(q, f) for f in ("position", *QUESTION_FIELDS)})
        for q in quiz.questions.all()
    ])
    audit.record(actor=actor, action="quiz.copy", obj=copy, after={"copied_from": quiz.pk, **audit.snapshot(copy)})
    return copy


# --- questions -----------------------------------------------------------------------------------------

def _choice_errors(kind: str, options: list[str], correct: list[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 2 <= len(options) <= MAX_OPTIONS:
        errors["options"] = f"Нужно от 2 до {MAX_OPTIONS} вариантов, по одному в строке."
    elif any(not o.strip() for o in options):
        errors["options"] = "Пустой вариант: уберите пустые строки."
    elif any(len(o) > MAX_OPTION_LEN for o in options):
        errors["options"] = f"Вариант — не длиннее {MAX_OPTION_LEN} символов."
    elif len({engine.normalise(o) for o in options}) != len(options):
        errors["options"] = "Варианты повторяются."
    elif kind in (engine.SINGLE, engine.TRUE_FALSE) and len(correct) != 1:
        errors["options"] = "Отметьте ровно один верный вариант звёздочкой (*) в начале строки."
    elif kind == engine.MULTIPLE and not correct:
        errors["options"] = "Отметьте верные варианты звёздочкой (*) в начале строки."
    elif kind == engine.POLL and correct:
        errors["options"] = "В опросе нет верных ответов: уберите звёздочки."
    return errors


def validate_question(data: Mapping[str, Any]) -> dict[str, str]:  # noqa: C901 - one check per field and type
    """Field → Russian message for everything wrong with a question (empty when it is fine)."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    text = (data.get("text") or "").strip()
    options = list(data.get("options") or [])
    if kind not in engine.KINDS:
        errors["kind"] = "Выберите тип вопроса."
    if not text:
        errors["text"] = "Напишите текст вопроса."
    elif len(text) > 300:
        errors["text"] = "Вопрос — не длиннее 300 символов."
    seconds = data.get("seconds")
    if seconds is not None and not MIN_SECONDS <= seconds <= MAX_SECONDS:
        errors["seconds"] = f"Время на ответ — от {MIN_SECONDS} секунд до 4 минут ({MAX_SECONDS} с), " \
                            "или оставьте поле пустым: без ограничения."
    if data.get("points", 1000) not in (0, 1000, 2000):
        errors["points"] = "Баллы за вопрос: 0, 1000 или 2000."
    if kind in engine.CHOICE_KINDS:
        errors |= _choice_errors(kind, options, list(data.get("correct") or []))
    elif kind == engine.ORDERING:
        if not 2 <= len(options) <= MAX_OPTIONS:
            errors["options"] = f"Нужно от 2 до {MAX_OPTIONS} пунктов, по одному в строке, в верном порядке."
        elif len(set(options)) != len(options):
            errors["options"] = "Пункты повторяются."
    elif kind == engine.TYPED:
        accepted = [a for a in data.get("accepted") or [] if a.strip()]
        if not accepted:
            errors["accepted"] = "Укажите хотя бы один верный ответ."
        elif any(len(a) > engine.MAX_TYPED for a in accepted):
            errors["accepted"] = f"Ответ — не длиннее {engine.MAX_TYPED} символов."
    elif kind == engine.ESTIMATE:
        if data.get("target") is None:
            errors["target"] = "Укажите верное число."
        if (data.get("tolerance") or 0) < 0:
            errors["tolerance"] = "Допуск не может быть отрицательным."
    return errors


def _normalised_question(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    out = {k: data.get(k) for k in QUESTION_FIELDS}
    out["text"] = (out["text"] or "").strip()
    out["explanation"] = (out["explanation"] or "").strip()
    out["options"] = [o.strip() for o in out["options"] or []] if kind in (*engine.CHOICE_KINDS, engine.ORDERING) \
        else []
    if kind == engine.TRUE_FALSE:
        out["options"] = TRUE_FALSE_OPTIONS
    out["correct"] = sorted(set(out["correct"] or [])) if kind in (engine.SINGLE, engine.MULTIPLE,
                                                                   engine.TRUE_FALSE) else []
    out["accepted"] = [a.strip() for a in out["accepted"] or [] if a.strip()] if kind == engine.TYPED else []
    out["target"] = out["target"] if kind == engine.ESTIMATE else None
    out["tolerance"] = float(out["tolerance"] or 0) if kind == engine.ESTIMATE else 0
    out["points"] = 0 if kind in engine.UNSCORED else (out["points"] if out["points"] is not None else 1000)
    return out


@transaction.atomic
def save_question(*, actor: Actor, quiz: Quiz, question: Question | None = None, **fields: Any) -> Question:
    """Add a question at the end of the quiz, or change one."""
    quiz = Quiz.objects.select_for_update(of=("self",)).get(pk=quiz.pk)
    require(actor, "edit", quiz)
    data = _normalised_question(fields)
    _raise(validate_question(data))
    if question is None:
        if quiz.questions.count() >= MAX_QUESTIONS:
            raise ValidationError(f"В квизе не больше {MAX_QUESTIONS} вопросов.")
        last = quiz.questions.aggregate(m=Max("position"))["m"] or 0
        question = Question(quiz=quiz, position=last + 1, **data)
        question.save()
        audit.record(actor=actor, action="quiz.question.create", obj=question, after=audit.snapshot(question))
        return question
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk, quiz=quiz)
    before = audit.snapshot(question)
    for name, value in data.items():
        setattr(question, name, value)
    question.save()
    audit.record(actor=actor, action="quiz.question.update", obj=question, before=before,
                 after=audit.snapshot(question))
    return question


@transaction.atomic
def delete_question(*, actor: Actor, question: Question) -> None:
    quiz = Quiz.objects.select_for_update(of=("self",)).get(pk=question.quiz_id)
    require(actor, "edit", quiz)
    audit.record(actor=actor, action="quiz.question.delete", obj=question, before=audit.snapshot(question))
    question.delete()


# --- import --------------------------------------------------------------------------------------------

MAX_PROBLEMS_SHOWN = 50


@transaction.atomic
def import_quiz(*, actor: Actor, organisation: Organisation | None, name: str, data: bytes) -> Quiz:
    """A new quiz of the organisation (or of the library, for the operator) from a JSON or XLSX file.
    Every problem of the file is reported at once, by row and column (or question and field), under
    ``file``; nothing is stored unless the whole quiz is right."""
    require(actor, "create", Quiz)
    try:
        parsed = transfer.parse(name, data)
    except transfer.TransferError as exc:
        raise ValidationError({"file": str(exc)}) from None
    problems = list(parsed.problems)
    questions = []
    for raw, (order, where) in zip(parsed.questions, parsed.places, strict=True):
        question = _normalised_question(raw)
        problems += [transfer.Problem(where(fld), message, order)
                     for fld, message in validate_question(question).items()]
        questions.append(question)
    problems.sort(key=lambda p: p.order)  # in the file's order (stable: a row's own order stays)
    if len(questions) > MAX_QUESTIONS:
        problems.append(transfer.Problem("Квиз", f"В квизе не больше {MAX_QUESTIONS} вопросов."))
    if problems:
        shown = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"…и ещё {len(problems) - MAX_PROBLEMS_SHOWN}. Исправьте эти и загрузите файл снова.")
        raise ValidationError({"file": shown})
    quiz = create_quiz(actor=actor, organisation=organisation, title=parsed.title, description=parsed.description,
                       age_group=parsed.age_group)
    Question.objects.bulk_create([Question(quiz=quiz, position=n, **q) for n, q in enumerate(questions, start=1)])
    audit.record(actor=actor, action="quiz.import", obj=quiz,
                 after={"file": name[:200], "questions": len(questions), **audit.snapshot(quiz)})
    return quiz


# --- games -----------------------------------------------------------------------------------------------

def _new_pin() -> str:
    return f"{secrets.randbelow(900_000) + 100_000}"


MAX_TEAMS, MAX_TEAM_LEN = 8, 24


def validate_teams(teams: Iterable[str]) -> tuple[list[str], str]:
    """The teams' names cleaned, and the Russian problem with them ('' when fine): none, or 2 to 8."""
    names = [" ".join(t.split()) for t in teams if t and t.strip()]
    if not names:
        return [], ""
    if not 2 <= len(names) <= MAX_TEAMS:
        return names, f"Команд — от 2 до {MAX_TEAMS}, по одной в строке (или ни одной: каждый играет за себя)."
    if any(len(n) > MAX_TEAM_LEN for n in names):
        return names, f"Название команды — не длиннее {MAX_TEAM_LEN} символов."
    if len({engine.normalise(n) for n in names}) != len(names):
        return names, "Названия команд повторяются."
    return names, ""


def start_game(*, actor: Actor, quiz: Quiz, scoring: str = Game.Scoring.ACCURACY,
               teams: Iterable[str] = ()) -> Game:
    """A new game of the quiz in the lobby, with a fresh 6-digit PIN no live game holds; with teams,
    each player picks one at join."""
    require(actor, "host", quiz)
    if quiz.organisation is None:
        raise ValidationError("Библиотечный квиз сначала скопируйте в свою организацию.")
    questions = [q.spec() for q in quiz.questions.all()]
    if not questions:
        raise ValidationError("В квизе нет вопросов: добавьте хотя бы один.")
    if scoring not in Game.Scoring.values:
        raise ValidationError({"scoring": "Выберите способ подсчёта баллов."})
    team_names, problem = validate_teams(teams)
    if problem:
        raise ValidationError({"teams": problem})
    for _attempt in range(20):
        try:
            with transaction.atomic():
                game = Game.objects.create(quiz=quiz, organisation=quiz.organisation, host=actor.user,
                                           title=quiz.title, pin=_new_pin(), scoring=scoring, questions=questions,
                                           teams=team_names)
                audit.record(actor=actor, action="quiz.game.start", obj=game, after=audit.snapshot(game))
                return game
        except IntegrityError:  # the PIN is held by a live game: draw again
            continue
    raise ValidationError("Не удалось выдать PIN: попробуйте ещё раз.")


@transaction.atomic
def record_round(*, actor: Actor, game_id: int, status: str, players: Iterable[Mapping[str, Any]],
                 answers: Iterable[Mapping[str, Any]]) -> None:
    """Store what the live game holds: new players, scores, kicks and the answers of closed
    questions. Called by the socket runtime when a question closes and when the game ends; storing
    the same answers again changes nothing (one answer per player and question, by its id)."""
    game = Game.objects.select_for_update(of=("self",)).get(pk=game_id)
    require(actor, "record", game)
    players = list(players)
    rows = {p.number: p for p in game.players.filter(number__in=[p["id"] for p in players])} if players else {}
    new = [Player(game=game, number=p["id"], nickname=p["nickname"], team=p.get("team", ""), score=p["score"],
                  kicked=p["kicked"]) for p in players if p["id"] not in rows]
    Player.objects.bulk_create(new)
    changed = []
    for p in players:
        row = rows.get(p["id"])
        if row is not None and (row.score, row.kicked) != (p["score"], p["kicked"]):
            row.score, row.kicked = p["score"], p["kicked"]
            changed.append(row)
    Player.objects.bulk_update(changed, ["score", "kicked"], batch_size=500)
    answers = list(answers)
    wanted = {a["player_id"] for a in answers}
    ids = dict(game.players.filter(number__in=wanted).values_list("number", "pk")) if wanted else {}
    Answer.objects.bulk_create([
        Answer(game=game, player_id=ids[a["player_id"]], question=a["question"], answer_id=a["answer_id"],
               value=a["value"], fraction=a["fraction"], correct=a["correct"], points=a["points"],
               elapsed_ms=round(a["elapsed"] * 1000))
        for a in answers
    ], ignore_conflicts=True, batch_size=500)
    now = timezone.now()
    if players:
        game.player_count = game.players.filter(kicked=False).count()
    if status != Game.Status.LOBBY and game.started_at is None:
        game.started_at = now
    if status == Game.Status.FINISHED and game.status != Game.Status.FINISHED:
        game.finished_at = now
        audit.record(actor=actor, action="quiz.game.finish", obj=game,
                     after={"players": game.player_count, "answers": game.answers.count()})
    game.status = status
    game.save(update_fields=["status", "player_count", "started_at", "finished_at"])


@transaction.atomic
def attach_game(*, actor: Actor, game: Game, activity_id: int, category: str, site_url: str) -> Game:
    """Count the finished game's players in an activity of the organisation (through the activities
    app's registered reporting target), with a link back to the results."""
    game = Game.objects.select_for_update(of=("self",)).get(pk=game.pk)
    require(actor, "results", game)
    if game.status != Game.Status.FINISHED:
        raise ValidationError("Привязать можно только завершённую игру.")
    if game.activity_id is not None:
        raise ValidationError("Эта игра уже учтена в отчёте.")
    if category not in dict(reporting.categories()):
        raise ValidationError({"category": "Выберите категорию участников."})
    link = f"{site_url}{reverse('quiz_game_results', args=[game.pk])}"
    reporting.add_participants(actor=actor, activity_id=activity_id, category=category, count=game.player_count,
                               link=link)
    return mark_attached(actor=actor, game=game, activity_id=activity_id, category=category)


@transaction.atomic
def purge_old_games(*, actor: Actor, older_than_days: int, now: Any = None) -> int:
    """Delete the players and answers of games finished more than ``older_than_days`` ago; the game
    row (title, date, number of players, the activity it counted in) stays. Returns the games purged."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    games = list(Game.objects.filter(status=Game.Status.FINISHED, finished_at__lt=cutoff, purged_at__isnull=True)
                 .select_for_update(of=("self",)))
    for game in games:
        require(actor, "record", game)
    ids = [g.pk for g in games]
    Answer.objects.filter(game_id__in=ids).delete()
    Player.objects.filter(game_id__in=ids).delete()
    Game.objects.filter(pk__in=ids).update(purged_at=now or timezone.now())
    for game in games:
        audit.record(actor=actor, action="quiz.game.purge", obj=game, after={"players": game.player_count})
    return len(games)


def mark_attached(*, actor: Actor, game: Game, activity_id: int, category: str) -> Game:
    before = audit.snapshot(game, ["activity_id", "activity_category"])
    game.activity_id, game.activity_category, game.attached_at = activity_id, category, timezone.now()
    game.save(update_fields=["activity_id", "activity_category", "attached_at"])
    audit.record(actor=actor, action="quiz.game.attach", obj=game, before=before,
                 after=audit.snapshot(game, ["activity_id", "activity_category"]))
    return game
