"""Every write to quizzes and games: author, copy, start a game, record its rounds, attach it to
an activity. Each one is checked with ``require`` and audited (rounds are recorded in bulk by the
socket runtime acting as the system, without an audit entry per answer)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from qualityweek.core import audit, files, images, reporting
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import require
from qualityweek.core.text import datetime_ru, ru_number
from qualityweek.core.timezones import timezone_label
from qualityweek.directory.models import Organisation

from . import engine, nicknames, transfer
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
        Question(quiz=copy, **{f: getattr(q, f) for f in ("position", *QUESTION_FIELDS, "image", "image_alt")})
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


IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_SIDE = 1600
IMAGE_MIN_SIDE = 100
IMAGE_RULES = images.Rules(max_bytes=IMAGE_MAX_BYTES, min_side=IMAGE_MIN_SIDE)
IMAGE_DIR = "private/quizzes"
MAX_ALT = 300
MSG_ALT = "Опишите изображение для незрячих игроков (альтернативный текст): без него картинку не сохранить."


def question_image(upload: IO[bytes]) -> str:
    """Check and re-encode a question's picture (core.images: content sniffed, pixels only, EXIF gone)
    and keep it under a random name; the storage key. An unacceptable file raises a Russian
    ValidationError on ``image``."""
    try:
        data, _, _ = images.reencode(upload, IMAGE_RULES, max_side=IMAGE_MAX_SIDE)
    except images.ImageError as exc:
        raise ValidationError({"image": str(exc)}) from None
    return files.store_bytes(f"{IMAGE_DIR}/{uuid.uuid4().hex}.jpg", data)


@transaction.atomic
def save_question(*, actor: Actor, quiz: Quiz, question: Question | None = None, image: IO[bytes] | None = None,
                  image_alt: str | None = None, remove_image: bool = False, **fields: Any) -> Question:
    """Add a question at the end of the quiz, or change one. A picture (optional) needs its alt text;
    a replaced picture's file stays, as played games' snapshots still show it."""
    quiz = Quiz.objects.select_for_update(of=("self",)).get(pk=quiz.pk)
    require(actor, "edit", quiz)
    data = _normalised_question(fields)
    errors = validate_question(data)
    alt = " ".join((image_alt if image_alt is not None else (question.image_alt if question else "")).split())
    has_image = image is not None or (question is not None and question.image and not remove_image)
    if has_image and not alt:
        errors["image_alt"] = MSG_ALT
    elif len(alt) > MAX_ALT:
        errors["image_alt"] = f"Описание изображения — не длиннее {MAX_ALT} символов."
    _raise(errors)
    if image is not None:
        data["image"] = question_image(image)
    elif remove_image or question is None:
        data["image"] = ""
    data["image_alt"] = alt if has_image else ""
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
            more = ru_number(len(problems) - MAX_PROBLEMS_SHOWN)
            shown.append(f"…и ещё {more}. Исправьте эти и загрузите файл снова.")
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


def _questions_to_play(actor: Actor, quiz: Quiz, scoring: str) -> tuple[Organisation, list[dict[str, Any]]]:
    """The organisation and the snapshot of the quiz's questions a new game plays, once the host may
    start one."""
    require(actor, "host", quiz)
    if quiz.organisation is None:
        raise ValidationError("Библиотечный квиз сначала скопируйте в свою организацию.")
    questions = [q.spec() for q in quiz.questions.all()]
    if not questions:
        raise ValidationError("В квизе нет вопросов: добавьте хотя бы один.")
    if scoring not in Game.Scoring.values:
        raise ValidationError({"scoring": "Выберите способ подсчёта баллов."})
    return quiz.organisation, questions


def start_game(*, actor: Actor, quiz: Quiz, scoring: str = Game.Scoring.ACCURACY,
               teams: Iterable[str] = ()) -> Game:
    """A new game of the quiz in the lobby, with a fresh 6-digit PIN no live game holds; with teams,
    each player picks one at join."""
    organisation, questions = _questions_to_play(actor, quiz, scoring)
    team_names, problem = validate_teams(teams)
    if problem:
        raise ValidationError({"teams": problem})
    for _attempt in range(20):
        try:
            with transaction.atomic():
                game = Game.objects.create(quiz=quiz, organisation=organisation, host=actor.user,
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
    if game.status != Game.Status.FINISHED:  # a late retry of an earlier write never reopens a game
        game.status = status
    game.save(update_fields=["status", "player_count", "started_at", "finished_at"])


@transaction.atomic
def attach_game(*, actor: Actor, game: Game, activity_id: int, category: str, site_url: str) -> Game:
    """Count the finished game's players in an activity of the organisation (through the activities
    app's registered reporting target), with a link back to the results."""
    game = Game.objects.select_for_update(of=("self",)).get(pk=game.pk)
    require(actor, "results", game)
    if game.is_homework and game.status != Game.Status.FINISHED and game.closes_at is not None \
            and game.closes_at <= timezone.now():
        game = close_homework(actor=actor, game=game)  # its closing time has passed: it is finished
    if game.status != Game.Status.FINISHED:
        raise ValidationError("Привязать можно только завершённую игру (домашнее задание — после срока).")
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


# --- self-paced games (homework) -------------------------------------------------------------------------

HOMEWORK_MIN_MINUTES, HOMEWORK_MAX_DAYS = 10, 60
HOMEWORK_MAX_PLAYERS = 2000
HOMEWORK_GRACE = 2.0  # seconds an answer may take over a timed question's limit (a page's round trip)


class Closed(engine.Refused):
    """An answer or a join after the closing time."""


def local_time(game: Game, moment: dt.datetime) -> str:
    """«15 декабря 2026 г., 18:00 (Киров, UTC+3)» in the organisation's time zone."""
    zone = game.organisation.region.zone
    return f"{datetime_ru(moment, zone)} ({timezone_label(zone.key, moment)})"


def start_homework(*, actor: Actor, quiz: Quiz, closes_at: dt.datetime, scoring: str = Game.Scoring.ACCURACY,
                   now: dt.datetime | None = None) -> Game:
    """A self-paced game of the quiz, open by its link until ``closes_at``: each player answers at their
    own pace; the server keeps each player's place, score and the time each question was shown."""
    organisation, questions = _questions_to_play(actor, quiz, scoring)
    now = now or timezone.now()
    if closes_at < now + dt.timedelta(minutes=HOMEWORK_MIN_MINUTES):
        raise ValidationError({"closes_at": f"Срок — не раньше чем через {HOMEWORK_MIN_MINUTES} минут."})
    if closes_at > now + dt.timedelta(days=HOMEWORK_MAX_DAYS):
        raise ValidationError({"closes_at": f"Срок — не дальше чем через {HOMEWORK_MAX_DAYS} дней."})
    with transaction.atomic():
        game = Game.objects.create(quiz=quiz, organisation=organisation, host=actor.user, title=quiz.title,
                                   pin="", mode=Game.Mode.HOMEWORK, code=secrets.token_urlsafe(16),
                                   closes_at=closes_at, scoring=scoring, questions=questions,
                                   status=Game.Status.RUNNING, started_at=now)
        audit.record(actor=actor, action="quiz.homework.start", obj=game, after=audit.snapshot(game))
    return game


@transaction.atomic
def close_homework(*, actor: Actor, game: Game, now: dt.datetime | None = None) -> Game:
    """Stop taking answers now (the host closes early) or record that the closing time has passed."""
    game = Game.objects.select_for_update(of=("self",)).get(pk=game.pk)
    require(actor, "results", game)
    if not game.is_homework:
        raise ValidationError("Это живая игра: её завершает ведущий на экране игры.")
    if game.status == Game.Status.FINISHED:
        return game
    now = now or timezone.now()
    if game.closes_at is None or game.closes_at > now:
        game.closes_at = now
    game.status, game.finished_at = Game.Status.FINISHED, game.closes_at
    game.player_count = game.players.filter(kicked=False).count()
    game.save(update_fields=["status", "finished_at", "closes_at", "player_count"])
    audit.record(actor=actor, action="quiz.homework.close", obj=game, after={"players": game.player_count})
    return game


def homework_open(game: Game, now: dt.datetime | None = None) -> bool:
    return (game.is_homework and game.status != Game.Status.FINISHED and game.closes_at is not None
            and (now or timezone.now()) < game.closes_at)


def _closed_message(game: Game) -> str:
    return f"Приём ответов закрыт {local_time(game, game.closes_at)}: ответ не принят." if game.closes_at \
        else "Приём ответов закрыт: ответ не принят."


@transaction.atomic
def join_homework(*, game: Game, nickname: str = "", team: str = "", now: dt.datetime | None = None) -> Player:
    """A new player of a self-paced game: a nickname (typed, checked by the profanity filter, or
    generated), nothing else."""
    game = Game.objects.select_for_update(of=("self",)).select_related("organisation__region").get(pk=game.pk)
    if not homework_open(game, now):
        raise Closed(f"Приём ответов закрыт {local_time(game, game.closes_at)}." if game.closes_at
                     else "Приём ответов закрыт.", "closed")
    taken = {engine.normalise(n) for n in game.players.values_list("nickname", flat=True)}
    if len(taken) >= HOMEWORK_MAX_PLAYERS:
        raise engine.Refused("В игре уже максимальное число игроков.", "full")
    nickname = " ".join((nickname or "").split())
    if nickname:
        problem = nicknames.check(nickname)
        if problem:
            raise engine.Refused(problem, "nickname")
        nickname = nicknames.clean(nickname)
        if engine.normalise(nickname) in taken:
            raise engine.Refused("Такое имя уже занято в этой игре: выберите другое.", "nickname")
    else:
        base = nicknames.generate()
        nickname = base
        for n in range(2, 1000):
            if engine.normalise(nickname) not in taken:
                break
            nickname = f"{base} {n}"[:nicknames.MAX_LEN]
    if game.teams and team not in game.teams:
        raise engine.Refused("Выберите команду.", "team")
    number = (game.players.aggregate(m=Max("number"))["m"] or 0) + 1
    player = Player.objects.create(game=game, number=number, nickname=nickname, team=team if game.teams else "")
    Game.objects.filter(pk=game.pk).update(player_count=number)
    return player


def serve_question(*, game: Game, player: Player, now: dt.datetime | None = None) -> int | None:
    """The index of the question the player is on (None when they are done); the first time it is
    shown, its start is recorded on the server — the time of a timed question runs from then."""
    if player.position >= len(game.questions):
        return None
    if player.served_at is None:
        moment = now or timezone.now()
        # Only the first showing counts: a refresh never restarts the clock.
        if Player.objects.filter(pk=player.pk, served_at__isnull=True, position=player.position).update(
                served_at=moment):
            player.served_at = moment
        else:
            player.refresh_from_db(fields=["served_at", "position"])
    return player.position


def homework_answer(*, game: Game, player: Player, question: int, value: Any,
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """Take a player's answer to the question they are on. The same question again (a refresh, a
    double tap) returns the first outcome and counts nothing; a late, a closed or a malformed answer
    raises ``Refused`` with a Russian message. A timed question's time runs from its showing."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Player.objects.select_for_update(of=("self",)).get(pk=player.pk, game=game)
        previous = Answer.objects.filter(player=row, question=question).first()
        if previous is not None:
            return _outcome(game, question, previous, duplicate=True)
        if question < row.position:  # passed without an answer (a slide, a late one)
            raise engine.Refused("На этот вопрос ответ уже не принимается.", "duplicate")
        if question != row.position or question >= len(game.questions):
            raise engine.Refused("Сейчас другой вопрос: обновите страницу.", "state")
        if not homework_open(game, now):
            raise Closed(_closed_message(game), "closed")
        spec = engine.QuestionSpec.from_dict(game.questions[question])
        served = row.served_at or now
        elapsed = max(0.0, (now - served).total_seconds())
        if spec.kind == engine.SLIDE:
            _advance(row)
            return {"question": question, "slide": True, "duplicate": False}
        late = bool(spec.seconds and elapsed > spec.seconds + HOMEWORK_GRACE)
        if late:  # passed on (stored), then refused outside the transaction
            row.streak = 0
            _advance(row)
    if late:
        player.position, player.served_at, player.streak = row.position, None, 0
        raise engine.Refused("Время на ответ вышло: ответ не принят. Переходите к следующему вопросу.", "late")
    with transaction.atomic():
        row = Player.objects.select_for_update(of=("self",)).get(pk=player.pk, game=game)
        if row.position != question:  # a concurrent request took it meanwhile
            previous = Answer.objects.filter(player=row, question=question).first()
            if previous is not None:
                return _outcome(game, question, previous, duplicate=True)
            raise engine.Refused("Сейчас другой вопрос: обновите страницу.", "state")
        fraction = engine.grade(spec, value)
        correct = engine.is_correct(spec, fraction)
        points = engine.base_points(spec, fraction, elapsed, game.scoring)
        if correct is True:
            row.streak += 1
            points += engine.streak_bonus(row.streak, game.scoring)
        elif correct is False:
            row.streak = 0
        answer = Answer.objects.create(game=game, player=row, question=question,
                                       answer_id=f"hw-{row.pk}-{question}", value=value, fraction=fraction,
                                       correct=correct, points=points, elapsed_ms=round(elapsed * 1000))
        row.score += points
        _advance(row)
    player.score, player.position, player.served_at, player.streak = row.score, row.position, None, row.streak
    return _outcome(game, question, answer, duplicate=False)


def _advance(row: Player) -> None:
    row.position += 1
    row.served_at = None
    row.save(update_fields=["score", "streak", "position", "served_at"])


def _outcome(game: Game, question: int, answer: Answer, *, duplicate: bool) -> dict[str, Any]:
    raw = game.questions[question]
    spec = engine.QuestionSpec.from_dict(raw)
    return {"question": question, "slide": False, "duplicate": duplicate, "points": answer.points,
            "correct": answer.correct, "solution": spec.solution(), "explanation": raw.get("explanation", ""),
            "options": list(spec.options), "kind": spec.kind}
