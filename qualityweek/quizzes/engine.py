"""The game engine: grading, scoring and the state of one live game, in plain Python.

Nothing here knows Django, sockets or the clock: every call that depends on time takes ``now``
(seconds, any monotonic origin). The socket layer (``runtime.py``) owns an ``Engine`` per game and
feeds it frames; the Redis store keeps the same state between nodes (``Engine.to_dict`` /
``from_dict``). Tests drive it directly, including a hypothesis state test of its invariants.

Scoring (docs/decisions/0016):
- ``accuracy`` (the accessible default): a question's points times the share of it answered
  right; time does not matter; no streak bonus.
- ``speed`` (Kahoot's rule): a correct answer earns 50–100 % of the points by how fast it came,
  ``round((1 - elapsed / limit / 2) * points)``; a partly right one (multiple choice, ordering,
  estimate) the same times its share; a streak bonus of +100 per consecutive correct answer after
  the first, capped at +500. Untimed questions earn full points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

SINGLE, MULTIPLE, TRUE_FALSE, TYPED, ORDERING, ESTIMATE, POLL, SLIDE = (
    "single", "multiple", "true_false", "typed", "ordering", "estimate", "poll", "slide")
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, TYPED, ORDERING, ESTIMATE, POLL, SLIDE)
CHOICE_KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, POLL)
UNSCORED = (POLL, SLIDE)
ACCURACY, SPEED = "accuracy", "speed"
STREAK_STEP, STREAK_CAP = 100, 500
GRACE = 0.25  # seconds a frame may be in flight after the deadline
MAX_ANSWER_ID = 64
MAX_TYPED = 100

LOBBY, QUESTION, REVEAL, FINISHED = "lobby", "question", "reveal", "finished"


class Refused(Exception):
    """A frame the game will not take, with the Russian message the player sees."""

    def __init__(self, message: str, code: str = "refused", **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data  # extra fields of the error frame (the teams to choose from)


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    options: tuple[str, ...] = ()
    correct: frozenset[int] = frozenset()  # single / multiple / true-false: right option indexes
    accepted: tuple[str, ...] = ()  # typed answer: accepted variants
    target: float | None = None  # estimate: the true value
    tolerance: float = 0.0  # estimate: how far off still earns something (0 → only exact)
    seconds: int | None = 20  # None: untimed
    points: int = 1000

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionSpec:
        return cls(kind=data["kind"], text=data["text"], options=tuple(data.get("options") or ()),
                   correct=frozenset(data.get("correct") or ()), accepted=tuple(data.get("accepted") or ()),
                   target=data.get("target"), tolerance=float(data.get("tolerance") or 0),
                   seconds=data.get("seconds"), points=int(data.get("points", 1000)))

    def public(self) -> dict[str, Any]:
        """What a player's screen shows: never the right answer."""
        return {"kind": self.kind, "text": self.text, "options": list(self.options), "seconds": self.seconds}

    def solution(self) -> dict[str, Any]:
        if self.kind in (SINGLE, MULTIPLE, TRUE_FALSE):
            return {"correct": sorted(self.correct)}
        if self.kind == TYPED:
            return {"accepted": list(self.accepted)}
        if self.kind == ORDERING:
            return {"order": list(range(len(self.options)))}
        if self.kind == ESTIMATE:
            return {"target": self.target}
        return {}


# --- grading -------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """A typed answer as compared: case, «ё»/«е», spacing and surrounding punctuation ignored."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _SPACES.sub("", text).strip(".,!?;:«»\"'()-–—")


def _indexes(value: Any, n: int) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise Refused("Ответ не распознан: выберите вариант.", "bad_answer")
    if any(i < 0 or i >= n for i in value) or len(set(value)) != len(value):
        raise Refused("Такого варианта нет.", "bad_answer")
    return value


def grade(q: QuestionSpec, value: Any) -> float | None:  # noqa: C901 - one branch per question type
    """The share of the question answered right (0…1), or None for a poll or a slide.
    A malformed answer raises ``Refused``."""
    if q.kind == SLIDE:
        raise Refused("На этот слайд не нужно отвечать.", "bad_answer")
    if q.kind in (SINGLE, TRUE_FALSE, POLL):
        picked = _indexes(value, len(q.options))
        if len(picked) != 1:
            raise Refused("Выберите один вариант.", "bad_answer")
        return None if q.kind == POLL else float(picked[0] in q.correct)
    if q.kind == MULTIPLE:
        picked = _indexes(value, len(q.options))
        if not picked:
            raise Refused("Выберите хотя бы один вариант.", "bad_answer")
        right = len(set(picked) & q.correct) - len(set(picked) - q.correct)
        return max(0.0, right / len(q.correct)) if q.correct else 0.0
    if q.kind == ORDERING:
        order = _indexes(value, len(q.options))
        if len(order) != len(q.options):
            raise Refused("Расставьте все варианты по порядку.", "bad_answer")
        return sum(1 for place, item in enumerate(order) if place == item) / len(order)
    if q.kind == TYPED:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TYPED:
            raise Refused(f"Введите ответ (до {MAX_TYPED} символов).", "bad_answer")
        said = normalise(value)
        return float(any(said == normalise(a) for a in q.accepted))
    if q.kind == ESTIMATE:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) > 1e15:
            raise Refused("Введите число.", "bad_answer")
        miss = abs(float(value) - float(q.target or 0))
        if q.tolerance <= 0:
            return float(miss == 0)
        return max(0.0, 1 - miss / q.tolerance)
    raise Refused("Неизвестный тип вопроса.", "bad_answer")


def is_correct(q: QuestionSpec, fraction: float | None) -> bool | None:
    """Counts for a streak and the share correct: all right; an estimate within half the tolerance."""
    if fraction is None:
        return None
    return fraction >= 0.5 if q.kind == ESTIMATE else fraction >= 1.0


def base_points(q: QuestionSpec, fraction: float | None, elapsed: float, mode: str) -> int:
    """Points before the streak bonus."""
    if not fraction:
        return 0
    if mode == SPEED and q.seconds:
        speed = 1 - min(max(elapsed, 0.0), q.seconds) / q.seconds / 2
        return round(speed * q.points * fraction)
    return round(q.points * fraction)


def streak_bonus(streak: int, mode: str) -> int:
    """The bonus for an answer that makes ``streak`` correct answers in a row."""
    if mode != SPEED or streak < 2:
        return 0
    return min(STREAK_STEP * (streak - 1), STREAK_CAP)


# --- the game -------------------------------------------------------------------------------------------

@dataclass
class PlayerState:
    id: int
    nickname: str
    token: str
    score: int = 0
    streak: int = 0
    kicked: bool = False
    team: str = ""


@dataclass(frozen=True)
class AnswerRecord:
    player_id: int
    question: int
    answer_id: str
    value: Any
    fraction: float | None
    correct: bool | None
    points: int
    elapsed: float


@dataclass
class Outcome:
    record: AnswerRecord
    duplicate: bool


@dataclass
class Engine:
    questions: list[QuestionSpec]
    mode: str = ACCURACY
    phase: str = LOBBY
    index: int = -1
    opened_at: float = 0.0
    deadline: float | None = None
    paused_left: float | None = None  # seconds left when paused (inf for an untimed question)
    paused_at: float | None = None
    paused_total: float = 0.0
    players: dict[int, PlayerState] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    answers: dict[tuple[int, int], AnswerRecord] = field(default_factory=dict)
    answer_ids: dict[str, tuple[int, int]] = field(default_factory=dict)
    next_id: int = 1
    # Kept as the game runs so that each answer costs O(1), whatever the number of players.
    active_count: int = 0
    counts: dict[int, int] = field(default_factory=dict)  # question -> answers by players not kicked
    nicknames: set[str] = field(default_factory=set)  # normalised, to refuse a second «Весёлый Енот»

    # state as plain data (the Redis store keeps it between nodes) -----------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Everything but the questions (the game row holds those) as JSON-ready data; the indexes
        kept for O(1) answers are rebuilt by ``from_dict``."""
        return {"mode": self.mode, "phase": self.phase, "index": self.index, "opened_at": self.opened_at,
                "deadline": self.deadline, "paused_left": self.paused_left, "paused_at": self.paused_at,
                "paused_total": self.paused_total, "next_id": self.next_id,
                "players": [asdict(p) for p in self.players.values()],
                "answers": [asdict(r) for r in self.answers.values()]}

    @classmethod
    def from_dict(cls, questions: list[QuestionSpec], data: Mapping[str, Any]) -> Engine:
        e = cls(questions, mode=data["mode"], phase=data["phase"], index=data["index"],
                opened_at=data["opened_at"], deadline=data["deadline"], paused_left=data["paused_left"],
                paused_at=data["paused_at"], paused_total=data["paused_total"], next_id=data["next_id"])
        for p in data["players"]:
            e.restore_player(PlayerState(**p))
        for r in data["answers"]:
            e.restore_answer(AnswerRecord(**r))
        return e

    def restore_player(self, player: PlayerState) -> None:
        """A player as the journal recorded them (replayed on another node)."""
        known = self.players.get(player.id)
        if known is not None:
            known.score, known.streak = player.score, player.streak
            if player.kicked and not known.kicked:
                self.kick(player.id)
            return
        self.players[player.id] = player
        self.tokens[player.token] = player.id
        self.nicknames.add(normalise(player.nickname))
        self.next_id = max(self.next_id, player.id + 1)
        if not player.kicked:
            self.active_count += 1

    def restore_answer(self, record: AnswerRecord) -> None:
        """An accepted answer as the journal recorded it; the player's score and streak already
        include it in a snapshot, so only the indexes are rebuilt here."""
        key = (record.question, record.player_id)
        if key in self.answers:
            return
        self.answers[key] = record
        self.answer_ids[record.answer_id] = key
        player = self.players.get(record.player_id)
        if player is not None and not player.kicked:
            self.counts[record.question] = self.counts.get(record.question, 0) + 1

    # players ------------------------------------------------------------------------------------

    def nickname_taken(self, nickname: str) -> bool:
        return normalise(nickname) in self.nicknames

    def join(self, nickname: str, token: str, team: str = "") -> PlayerState:
        if self.phase == FINISHED:
            raise Refused("Игра уже закончилась.", "finished")
        if token in self.tokens:
            raise Refused("Этот ключ уже использован.", "bad_token")
        if self.nickname_taken(nickname):
            raise Refused("Такое имя уже занято в этой игре: выберите другое.", "nickname")
        player = PlayerState(id=self.next_id, nickname=nickname, token=token, team=team)
        self.next_id += 1
        self.players[player.id] = player
        self.tokens[token] = player.id
        self.nicknames.add(normalise(nickname))
        self.active_count += 1
        return player

    def rejoin(self, token: str) -> PlayerState:
        pid = self.tokens.get(token)
        if pid is None:
            raise Refused("Не удалось вернуться в игру: войдите заново.", "bad_token")
        player = self.players[pid]
        if player.kicked:
            raise Refused("Ведущий удалил вас из этой игры.", "kicked")
        return player

    def kick(self, player_id: int) -> PlayerState:
        player = self.players.get(player_id)
        if player is None:
            raise Refused("Такого игрока нет.", "bad_player")
        if not player.kicked:
            player.kicked = True
            self.active_count -= 1
            for (question, pid) in self.answers:
                if pid == player.id:
                    self.counts[question] -= 1
                    if not self.counts[question]:  # as a restored game holds it: no entry, not a 0
                        del self.counts[question]
        return player

    def active_players(self) -> list[PlayerState]:
        return [p for p in self.players.values() if not p.kicked]

    # flow ---------------------------------------------------------------------------------------------

    @property
    def question(self) -> QuestionSpec | None:
        return self.questions[self.index] if 0 <= self.index < len(self.questions) else None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def open_next(self, now: float) -> QuestionSpec | None:
        """Open the next question (from the lobby or a revealed one); None when none is left."""
        if self.phase == FINISHED:
            raise Refused("Игра уже закончилась.", "finished")
        if self.phase == QUESTION:
            raise Refused("Сначала закройте текущий вопрос.", "state")
        if self.index + 1 >= len(self.questions):
            self.finish()
            return None
        self.index += 1
        self.phase = QUESTION
        self.opened_at = now
        self.paused_at, self.paused_left, self.paused_total = None, None, 0.0
        q = self.questions[self.index]
        self.deadline = now + q.seconds if q.seconds else None
        return q

    def time_left(self, now: float) -> float | None:
        if self.phase != QUESTION:
            return 0.0
        if self.paused:
            return self.paused_left
        return None if self.deadline is None else max(0.0, self.deadline - now)

    def due(self, now: float) -> bool:
        """The open question's time is up (the runtime then closes it)."""
        return self.phase == QUESTION and not self.paused and self.deadline is not None and now >= self.deadline

    def pause(self, now: float) -> None:
        if self.phase != QUESTION or self.paused:
            raise Refused("Пауза возможна только во время вопроса.", "state")
        self.paused_at = now
        self.paused_left = None if self.deadline is None else max(0.0, self.deadline - now)

    def resume(self, now: float) -> None:
        if not self.paused or self.paused_at is None:
            raise Refused("Игра не на паузе.", "state")
        self.paused_total += now - self.paused_at
        if self.paused_left is not None:
            self.deadline = now + self.paused_left
        self.paused_at, self.paused_left = None, None

    def close(self) -> None:
        """Stop taking answers for the open question and show its answer."""
        if self.phase != QUESTION:
            raise Refused("Сейчас нет открытого вопроса.", "state")
        self.phase = REVEAL
        self.paused_at, self.paused_left = None, None

    def finish(self) -> None:
        self.phase = FINISHED
        self.deadline = None

    # answers ------------------------------------------------------------------------------------------

    def answer(self, player_id: int, answer_id: str, question: int, value: Any, now: float) -> Outcome:
        """Take one answer. The same answer id again returns the first outcome (a retry never counts
        twice); a second answer to the same question, a late or a malformed one is refused."""
        if not isinstance(answer_id, str) or not 0 < len(answer_id) <= MAX_ANSWER_ID:
            raise Refused("Ответ без идентификатора не принимается.", "bad_answer")
        seen = self.answer_ids.get(answer_id)
        if seen is not None:
            record = self.answers[seen]
            if record.player_id != player_id:
                raise Refused("Ответ не распознан.", "bad_answer")
            return Outcome(record, duplicate=True)
        player = self.players.get(player_id)
        if player is None or player.kicked:
            raise Refused("Ведущий удалил вас из этой игры.", "kicked")
        if question != self.index or self.phase != QUESTION:
            raise Refused("Время на ответ вышло: ответ не принят.", "late")
        if self.deadline is not None and not self.paused and now > self.deadline + GRACE:
            raise Refused("Время на ответ вышло: ответ не принят.", "late")
        if self.paused:
            raise Refused("Игра на паузе: ответ можно дать после продолжения.", "paused")
        if (question, player_id) in self.answers:
            raise Refused("Ответ на этот вопрос уже принят.", "duplicate")
        q = self.questions[question]
        fraction = grade(q, value)
        correct = is_correct(q, fraction)
        elapsed = max(0.0, now - self.opened_at - self.paused_total)
        points = base_points(q, fraction, elapsed, self.mode)
        if correct is True:
            player.streak += 1
            points += streak_bonus(player.streak, self.mode)
        elif correct is False:
            player.streak = 0
        record = AnswerRecord(player_id=player_id, question=question, answer_id=answer_id, value=value,
                              fraction=fraction, correct=correct, points=points, elapsed=elapsed)
        self.answers[(question, player_id)] = record
        self.answer_ids[answer_id] = (question, player_id)
        self.counts[question] = self.counts.get(question, 0) + 1
        player.score += points
        return Outcome(record, duplicate=False)

    def answered(self, question: int) -> list[AnswerRecord]:
        return [r for (q, _), r in self.answers.items() if q == question]

    def answered_count(self, question: int) -> int:
        """Answers to the question from players still in the game."""
        return self.counts.get(question, 0)

    def all_answered(self) -> bool:
        """Every active player has answered the open question (False once it is closed)."""
        return (self.phase == QUESTION and self.active_count > 0
                and self.answered_count(self.index) >= self.active_count)

    def break_streaks(self, question: int) -> None:
        """Players who did not answer a scored question lose their streak (called at its close)."""
        q = self.questions[question]
        if q.kind in UNSCORED:
            return
        for p in self.players.values():
            if (question, p.id) not in self.answers:
                p.streak = 0

    # standings ------------------------------------------------------------------------------------------

    def standings(self) -> list[PlayerState]:
        return sorted(self.active_players(), key=lambda p: (-p.score, p.id))

    def leaderboard(self, n: int = 5) -> list[dict[str, Any]]:
        return [{"place": i + 1, "nickname": p.nickname, "score": p.score, "id": p.id}
                for i, p in enumerate(self.standings()[:n])]

    def places(self) -> dict[int, int]:
        """Competition ranking: equal scores share a place."""
        places: dict[int, int] = {}
        last_score, last_place = None, 0
        for i, p in enumerate(self.standings()):
            if p.score != last_score:
                last_score, last_place = p.score, i + 1
            places[p.id] = last_place
        return places

    def distribution(self, question: int) -> list[int]:
        """How many picked each option (choice questions), else an empty list."""
        q = self.questions[question]
        counts = [0] * len(q.options) if q.kind in CHOICE_KINDS else []
        for r in self.answered(question):
            if counts and isinstance(r.value, list):
                for i in r.value:
                    counts[i] += 1
        return counts

    def team_scores(self) -> dict[str, float]:
        """A team's score is its members' average (teams are optional)."""
        teams: dict[str, list[int]] = {}
        for p in self.active_players():
            if p.team:
                teams.setdefault(p.team, []).append(p.score)
        return {t: round(sum(s) / len(s), 1) for t, s in teams.items()}


def totals(records: Iterable[AnswerRecord]) -> dict[int, int]:
    out: dict[int, int] = {}
    for r in records:
        out[r.player_id] = out.get(r.player_id, 0) + r.points
    return out
