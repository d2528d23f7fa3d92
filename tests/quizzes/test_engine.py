"""The pure engine: grading per type, both scoring modes, streaks, the flow, and a hypothesis
state machine over joins, answers, duplicates, reconnects and kicks."""

from __future__ import annotations

import json

import pytest
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from qualityweek.quizzes import engine
from qualityweek.quizzes.engine import Engine, QuestionSpec, Refused

SINGLE = QuestionSpec(kind="single", text="Что значит Знак качества?", options=("A", "B", "C"),
                      correct=frozenset({1}), seconds=20)
MULTI = QuestionSpec(kind="multiple", text="m", options=("a", "b", "c", "d"), correct=frozenset({0, 2}), seconds=20)
ORDER = QuestionSpec(kind="ordering", text="o", options=("1", "2", "3", "4"), seconds=None)
TYPED = QuestionSpec(kind="typed", text="t", accepted=("Роскачество", "Российская система качества"))
EST = QuestionSpec(kind="estimate", text="e", target=2018, tolerance=10)
POLL = QuestionSpec(kind="poll", text="p", options=("да", "нет"), points=0)


def test_grading_per_type():
    assert engine.grade(SINGLE, [1]) == 1.0
    assert engine.grade(SINGLE, [0]) == 0.0
    assert engine.grade(MULTI, [0, 2]) == 1.0
    assert engine.grade(MULTI, [0]) == 0.5
    assert engine.grade(MULTI, [0, 1]) == 0.0  # a wrong pick cancels a right one
    assert engine.grade(ORDER, [0, 1, 2, 3]) == 1.0
    assert engine.grade(ORDER, [1, 0, 2, 3]) == 0.5
    assert engine.grade(TYPED, "  роскачество ") == 1.0
    assert engine.grade(TYPED, "РОССИЙСКАЯ  система качества") == 1.0
    assert engine.grade(TYPED, "российскаясистемакачества") == 1.0  # spacing ignored
    assert engine.grade(QuestionSpec(kind="typed", text="t", accepted=("ёлка",)), "Елка") == 1.0
    assert engine.grade(TYPED, "Росстандарт") == 0.0
    assert engine.grade(EST, 2018) == 1.0
    assert engine.grade(EST, 2013) == 0.5
    assert engine.grade(EST, 1990) == 0.0
    assert engine.grade(POLL, [1]) is None


@pytest.mark.parametrize(("question", "value"), [
    (SINGLE, [5]), (SINGLE, [0, 1]), (SINGLE, "1"), (SINGLE, [True]), (MULTI, []), (ORDER, [0, 1]),
    (ORDER, [0, 0, 1, 2]), (TYPED, ""), (TYPED, "x" * 101), (TYPED, 5), (EST, "много"), (EST, float("nan")),
    (QuestionSpec(kind="slide", text="s"), [0]),
])
def test_malformed_answers_are_refused(question, value):
    with pytest.raises(Refused):
        engine.grade(question, value)


def test_speed_scoring_is_kahoots_rule_with_a_capped_streak():
    q = QuestionSpec(kind="single", text="q", options=("a", "b"), correct=frozenset({0}), seconds=20)
    assert engine.base_points(q, 1.0, 0, engine.SPEED) == 1000
    assert engine.base_points(q, 1.0, 10, engine.SPEED) == 750
    assert engine.base_points(q, 1.0, 20, engine.SPEED) == 500
    assert engine.base_points(q, 1.0, 99, engine.SPEED) == 500  # never below half
    assert engine.base_points(q, 0.0, 0, engine.SPEED) == 0
    assert engine.base_points(q, 1.0, 19, engine.ACCURACY) == 1000  # accuracy ignores time
    assert [engine.streak_bonus(n, engine.SPEED) for n in range(1, 9)] == [0, 100, 200, 300, 400, 500, 500, 500]
    assert engine.streak_bonus(5, engine.ACCURACY) == 0


def _game(mode=engine.SPEED, questions=(SINGLE, SINGLE, SINGLE)):
    g = Engine(list(questions), mode=mode)
    a = g.join("Весёлый Енот", "tok-a")
    b = g.join("Смелая Лиса", "tok-b")
    return g, a, b


def test_a_game_scores_streaks_and_refuses_late_duplicate_and_foreign_answers():
    g, a, b = _game()
    g.open_next(now=100.0)
    assert g.answer(a.id, "a1", 0, [1], now=100.0).record.points == 1000
    assert g.answer(a.id, "a1", 0, [1], now=101.0).duplicate  # a retry never counts twice
    with pytest.raises(Refused) as again:
        g.answer(a.id, "a2", 0, [0], now=101.0)
    assert again.value.code == "duplicate"
    with pytest.raises(Refused) as late:
        g.answer(b.id, "b1", 0, [1], now=121.0)
    assert late.value.code == "late"
    assert "Время" in late.value.message
    with pytest.raises(Refused):
        g.answer(b.id, "a1", 0, [1], now=101.0)  # another player's answer id
    g.close()
    g.break_streaks(0)
    g.open_next(now=200.0)
    second = g.answer(a.id, "a3", 1, [1], now=210.0).record
    assert second.points == 750 + 100  # half the time, second correct in a row
    assert a.score == 1850
    assert a.streak == 2
    assert b.streak == 0
    assert engine.totals(g.answers.values()) == {a.id: 1850}


def test_pause_stops_the_clock_and_untimed_questions_earn_full_points():
    g, a, _ = _game(questions=(SINGLE, ORDER))
    g.open_next(now=0.0)
    g.pause(now=5.0)
    with pytest.raises(Refused) as paused:
        g.answer(a.id, "x", 0, [1], now=50.0)
    assert paused.value.code == "paused"
    g.resume(now=100.0)
    assert not g.due(now=110.0)
    assert g.due(now=115.0)
    assert g.answer(a.id, "y", 0, [1], now=105.0).record.points == 750  # 10 s of play, not 105
    g.close()
    g.open_next(now=1000.0)
    assert g.deadline is None
    assert not g.due(now=10**6)
    assert g.answer(a.id, "z", 1, [0, 1, 2, 3], now=5000.0).record.points == 1000 + 100  # full points + streak


def test_rejoin_keeps_score_and_a_kicked_player_stays_out():
    g, a, b = _game()
    g.open_next(now=0.0)
    g.answer(a.id, "a", 0, [1], now=0.0)
    assert g.rejoin("tok-a") is a
    assert a.score == 1000
    g.kick(b.id)
    with pytest.raises(Refused) as kicked:
        g.rejoin("tok-b")
    assert kicked.value.code == "kicked"
    with pytest.raises(Refused):
        g.answer(b.id, "b", 0, [1], now=1.0)
    with pytest.raises(Refused):
        g.join("весёлый  енот", "tok-c")  # nickname taken (case, ё and spacing folded)
    assert [p["nickname"] for p in g.leaderboard()] == ["Весёлый Енот"]


def test_places_share_ties_and_teams_average():
    g = Engine([SINGLE], mode=engine.ACCURACY)
    p = [g.join(f"Игрок {i}", f"t{i}", team="Синие" if i < 2 else "Красные") for i in range(3)]
    g.open_next(now=0)
    g.answer(p[0].id, "0", 0, [1], now=1)
    g.answer(p[1].id, "1", 0, [1], now=2)
    g.answer(p[2].id, "2", 0, [0], now=3)
    assert g.places() == {p[0].id: 1, p[1].id: 1, p[2].id: 3}
    assert g.team_scores() == {"Синие": 1000.0, "Красные": 0.0}
    assert g.distribution(0) == [1, 2, 0]


class GameMachine(RuleBasedStateMachine):
    """Any sequence of joins, answers (fresh, retried, malformed, late), reconnects, kicks and
    question changes: every accepted answer is counted exactly once, and every player's total is
    the sum of their per-question points."""

    def __init__(self):
        super().__init__()
        self.g = Engine([SINGLE, MULTI, ORDER, TYPED, EST, POLL], mode=engine.SPEED)
        self.now = 0.0
        self.accepted: dict[str, engine.AnswerRecord] = {}
        self.n = 0

    @rule()
    def join(self):
        self.n += 1
        try:
            self.g.join(f"Игрок {self.n}", f"token-{self.n}")
        except Refused:
            assert self.g.phase == engine.FINISHED

    @rule(pick=st.integers(0, 50))
    def reconnect(self, pick):
        players = list(self.g.players.values())
        if players:
            p = players[pick % len(players)]
            try:
                assert self.g.rejoin(p.token) is p
            except Refused:
                assert p.kicked

    @rule(pick=st.integers(0, 50))
    def kick(self, pick):
        players = list(self.g.players.values())
        if players:
            self.g.kick(players[pick % len(players)].id)

    @rule(dt=st.floats(0, 30))
    def tick(self, dt):
        self.now += dt

    @rule()
    def advance(self):
        if self.g.phase == engine.QUESTION:
            self.g.close()
            self.g.break_streaks(self.g.index)
        elif self.g.phase != engine.FINISHED:
            self.g.open_next(self.now)

    @rule(pick=st.integers(0, 50), value=st.one_of(
        st.lists(st.integers(-1, 4), max_size=4), st.text(max_size=12), st.sampled_from(["Роскачество"]),
        st.integers(1990, 2030), st.none()), answer_id=st.sampled_from([f"id{i}" for i in range(12)]),
        question=st.integers(-1, 6))
    def answer(self, pick, value, answer_id, question):
        players = list(self.g.players.values())
        if not players:
            return
        p = players[pick % len(players)]
        try:
            outcome = self.g.answer(p.id, answer_id, question, value, self.now)
        except Refused:
            return
        if outcome.duplicate:
            assert self.accepted[answer_id] is outcome.record
        else:
            assert answer_id not in self.accepted
            self.accepted[answer_id] = outcome.record

    @invariant()
    def counted_once_and_totals_add_up(self):
        assert len(self.g.answers) == len(self.accepted) == len(self.g.answer_ids)
        assert sorted(map(id, self.g.answers.values())) == sorted(map(id, self.accepted.values()))
        for q in range(len(self.g.questions)):
            live = sum(1 for (qq, pid) in self.g.answers if qq == q and not self.g.players[pid].kicked)
            assert self.g.answered_count(q) == live
        assert self.g.active_count == len(self.g.active_players())
        sums = engine.totals(self.g.answers.values())
        for p in self.g.players.values():
            assert p.score == sums.get(p.id, 0)
        assert all(r.points >= 0 for r in self.g.answers.values())

    @invariant()
    def a_snapshot_restores_the_same_game(self):
        """What the Redis store keeps (``to_dict`` through JSON) is the whole game."""
        copy = Engine.from_dict(self.g.questions, json.loads(json.dumps(self.g.to_dict())))
        assert copy.to_dict() == json.loads(json.dumps(self.g.to_dict()))
        assert (copy.counts, copy.active_count, copy.tokens, copy.nicknames) == (
            self.g.counts, self.g.active_count, self.g.tokens, self.g.nicknames)
        assert {k: v.answer_id for k, v in copy.answers.items()} == {k: v.answer_id for k, v in self.g.answers.items()}


GameMachine.TestCase.settings = hsettings(max_examples=150, stateful_step_count=40, deadline=None)
test_game_state_machine = GameMachine.TestCase


def test_a_snapshot_and_the_journal_after_it_restore_the_game():
    """A node taking a game over: the snapshot at the question's opening, then the journalled
    changes (a join, answers with the player's state after each, a kick) replayed in order."""
    from dataclasses import asdict

    g, a, b = _game()
    g.open_next(now=100.0)
    snapshot = json.loads(json.dumps(g.to_dict()))
    journal = []
    c = g.join("Тихий Ёж", "tok-c")
    journal.append((asdict(c), None))
    for p, aid in ((a, "a1"), (c, "c1")):
        record = g.answer(p.id, aid, 0, [1], now=104.0).record
        journal.append((asdict(p), asdict(record)))
    g.kick(b.id)
    journal.append((asdict(b), None))
    copy = Engine.from_dict(g.questions, snapshot)
    for player, record in json.loads(json.dumps(journal)):
        copy.restore_player(engine.PlayerState(**player))
        if record:
            copy.restore_answer(engine.AnswerRecord(**record))
    assert copy.to_dict() == json.loads(json.dumps(g.to_dict()))
    assert (copy.answered_count(0), copy.active_count) == (2, 2)
    assert copy.answer(a.id, "a1", 0, [1], now=105.0).duplicate  # a retry after the move counts once
