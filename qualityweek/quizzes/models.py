"""Quizzes, their questions, and the games played from them.

A quiz belongs to an organisation, or (organisation empty) is a library quiz the operator publishes
for an age group. A game keeps a snapshot of the quiz's questions, so editing the quiz later never
changes a played game's results. Players are nicknames only: no personal data is asked or stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qualityweek.directory.models import Organisation

from . import engine

MIN_SECONDS, MAX_SECONDS = 5, 240


class Quiz(models.Model):
    class AgeGroup(models.TextChoices):
        GRADES_1_4 = "1_4", "1–4 классы"
        GRADES_5_9 = "5_9", "5–9 классы"
        GRADES_10_11 = "10_11", "10–11 классы"
        ADULTS = "adults", "Взрослые"

    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="quizzes", verbose_name="организация")
    title = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    age_group = models.CharField("возраст", max_length=8, choices=AgeGroup.choices, default=AgeGroup.GRADES_5_9)
    is_published = models.BooleanField("опубликован в библиотеке", default=False)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies",
                                    verbose_name="копия квиза")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "квиз"
        verbose_name_plural = "квизы"
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_library(self) -> bool:
        return self.organisation_id is None


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = engine.SINGLE, "Один верный ответ"
        MULTIPLE = engine.MULTIPLE, "Несколько верных ответов"
        TRUE_FALSE = engine.TRUE_FALSE, "Верно / неверно"
        TYPED = engine.TYPED, "Ввести ответ"
        ORDERING = engine.ORDERING, "Расставить по порядку"
        ESTIMATE = engine.ESTIMATE, "Числовая оценка"
        POLL = engine.POLL, "Опрос (без баллов)"
        SLIDE = engine.SLIDE, "Слайд (только текст)"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name="квиз")
    position = models.PositiveIntegerField("номер")
    kind = models.CharField("тип", max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField("вопрос", max_length=300)
    # Choice and ordering questions: the options (ordering: in the right order; players see them shuffled).
    options = models.JSONField("варианты", default=list, blank=True)
    correct = models.JSONField("верные варианты (номера с нуля)", default=list, blank=True)
    accepted = models.JSONField("принимаемые ответы", default=list, blank=True)
    target = models.FloatField("верное число", null=True, blank=True)
    tolerance = models.FloatField("допуск", default=0)
    seconds = models.PositiveIntegerField("время, с", null=True, blank=True)  # empty: untimed
    points = models.PositiveIntegerField("баллы", default=1000)
    explanation = models.CharField("пояснение после ответа", max_length=500, blank=True)
    # An optional picture: the storage key of a re-encoded JPEG under private/quizzes/ (core.images),
    # served only through a view that checks who asks; its alt text is required with it.
    image = models.CharField("изображение", max_length=200, blank=True)
    image_alt = models.CharField("описание изображения", max_length=300, blank=True)

    class Meta:
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы"
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quiz_question_position"),
            models.CheckConstraint(condition=Q(seconds__isnull=True) | Q(seconds__gte=MIN_SECONDS,
                                                                         seconds__lte=MAX_SECONDS),
                                   name="quiz_question_seconds"),
            models.CheckConstraint(condition=Q(points__in=[0, 1000, 2000]), name="quiz_question_points"),
        ]

    def __str__(self) -> str:
        return self.text

    def spec(self) -> dict:
        return {"kind": self.kind, "text": self.text, "options": list(self.options), "correct": list(self.correct),
                "accepted": list(self.accepted), "target": self.target, "tolerance": self.tolerance,
                "seconds": self.seconds, "points": 0 if self.kind in engine.UNSCORED else self.points,
                "explanation": self.explanation, "image": self.image, "image_alt": self.image_alt}


class Game(models.Model):
    class Status(models.TextChoices):
        LOBBY = "lobby", "Ожидание игроков"
        RUNNING = "running", "Идёт"
        FINISHED = "finished", "Завершена"

    class Mode(models.TextChoices):
        LIVE = "live", "Живая игра по PIN"
        HOMEWORK = "homework", "Самостоятельно по ссылке (домашнее задание)"

    class Scoring(models.TextChoices):
        ACCURACY = engine.ACCURACY, "Только точность (без учёта скорости)"
        SPEED = engine.SPEED, "Точность и скорость, бонус за серию"

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="games", verbose_name="квиз")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="quiz_games",
                                     verbose_name="организация")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="ведущий")
    title = models.CharField("название", max_length=200)
    pin = models.CharField("PIN", max_length=6)
    scoring = models.CharField("подсчёт баллов", max_length=16, choices=Scoring.choices,
                               default=Scoring.ACCURACY)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.LOBBY)
    mode = models.CharField("формат", max_length=16, choices=Mode.choices, default=Mode.LIVE)
    # Self-paced (homework) games: reached by an unguessable code in the link, open until closes_at.
    code = models.CharField("код ссылки", max_length=32, blank=True)
    closes_at = models.DateTimeField("приём ответов до", null=True, blank=True)
    questions = models.JSONField("вопросы (снимок)", default=list)
    # Optional teams: players pick one at join; a team's score is its members' average.
    teams = models.JSONField("команды", default=list, blank=True)
    player_count = models.PositiveIntegerField("игроков", default=0)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    started_at = models.DateTimeField("начата", null=True, blank=True)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)
    # Attached to an activity of the organisation (an id only: the activities app is a sibling).
    activity_id = models.PositiveIntegerField("мероприятие", null=True, blank=True)
    activity_category = models.CharField("категория участников", max_length=32, blank=True)
    attached_at = models.DateTimeField("привязана", null=True, blank=True)
    # Players and answers of old games are purged (manage.py purge_quiz_games); the counts stay.
    purged_at = models.DateTimeField("данные игроков удалены", null=True, blank=True)

    class Meta:
        verbose_name = "игра"
        verbose_name_plural = "игры"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A PIN names one game that can still be joined.
            models.UniqueConstraint(fields=["pin"], condition=~Q(status="finished") & Q(mode="live"),
                                    name="quiz_game_live_pin"),
            models.UniqueConstraint(fields=["code"], condition=Q(mode="homework"), name="quiz_game_homework_code"),
        ]

    def __str__(self) -> str:
        if self.mode == self.Mode.HOMEWORK:
            return f"{self.title} (по ссылке)"
        return f"{self.title} (PIN {self.pin})"

    @property
    def is_homework(self) -> bool:
        return self.mode == self.Mode.HOMEWORK


class Player(models.Model):
    """A nickname in one game (no personal data)."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="players", verbose_name="игра")
    number = models.PositiveIntegerField("номер в игре")
    nickname = models.CharField("имя в игре", max_length=24)
    team = models.CharField("команда", max_length=24, blank=True)
    score = models.IntegerField("баллы", default=0)
    kicked = models.BooleanField("удалён ведущим", default=False)
    # Self-paced games: the player's place in the quiz, kept on the server (a refresh continues there).
    streak = models.PositiveIntegerField("серия верных", default=0)
    position = models.PositiveIntegerField("текущий вопрос", default=0)
    served_at = models.DateTimeField("вопрос показан", null=True, blank=True)

    class Meta:
        verbose_name = "игрок"
        verbose_name_plural = "игроки"
        ordering = ["-score", "number"]
        constraints = [models.UniqueConstraint(fields=["game", "number"], name="quiz_player_number")]

    def __str__(self) -> str:
        return self.nickname


class Answer(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="answers")
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="answers")
    question = models.PositiveIntegerField("вопрос")
    answer_id = models.CharField(max_length=64)
    value = models.JSONField(null=True)
    fraction = models.FloatField(null=True)
    correct = models.BooleanField(null=True)
    points = models.IntegerField(default=0)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["player", "question"], name="quiz_answer_once"),
            models.UniqueConstraint(fields=["game", "answer_id"], name="quiz_answer_id"),
        ]

    def __str__(self) -> str:
        return f"{self.player_id}/{self.question}"
