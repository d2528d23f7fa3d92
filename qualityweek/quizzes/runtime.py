"""Live games in this process: one ``LiveGame`` per running game, holding its ``engine.Engine``, its
local sockets and its question timer (docs/decisions/0016).

Fan-out: an event is encoded to JSON **once** and the same text is written to every local socket of
the game — no channel-layer message per player. A Redis-backed store would keep ``Engine`` state in
Redis and publish each event once per game channel; every node subscribed to it writes the one
encoded text to its own sockets (one message per node per event).

The database sees a game in batches: players, scores and the answers of a question are stored when
the question closes and when the game ends (``services.record_round``), never once per answer.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import DatabaseSyncToAsync, database_sync_to_async

from qualityweek.core.audit import Actor

from . import engine, nicknames, services
from .engine import Refused
from .models import Game

Send = Callable[[str], Awaitable[None]]
PIN_FAILURES, PIN_WINDOW = 10, 60.0  # wrong PINs per address per minute
MAX_PLAYERS = 10_000
HOST_UPDATE_SECONDS = 0.25
LETTERS = "ABCDEF"


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class LiveGame:
    def __init__(self, game: Game) -> None:
        self.id, self.pin, self.title = game.pk, game.pin, game.title
        self.organisation_id = game.organisation_id
        self.specs = [engine.QuestionSpec.from_dict(q) for q in game.questions]
        self.explanations = [q.get("explanation", "") for q in game.questions]
        self.engine = engine.Engine(self.specs, mode=game.scoring)
        self.teams: list[str] = list(game.teams)
        self.hosts: set[Send] = set()
        self.sockets: dict[int, set[Send]] = {}
        self.pending: list[engine.AnswerRecord] = []
        self.timer: asyncio.Task[None] | None = None
        self.flushing = asyncio.Lock()
        self.order: list[int] = []  # the order a question's options are shown in (shuffled for ordering)
        self.closed = False
        self.saved: dict[int, tuple[int, bool]] = {}  # player -> (score, kicked) as last stored
        self.throttled: set[str] = set()
        self.background: set[asyncio.Task[None]] = set()

    # --- sending -----------------------------------------------------------------------------------

    async def _write(self, targets: list[Send], text: str) -> None:
        for send in targets:
            try:
                await send(text)
            except Exception:  # noqa: S112 - a socket closing mid-send never stops the fan-out
                continue

    async def to_players(self, message: dict[str, Any]) -> None:
        text = encode(message)  # once, for every socket
        await self._write([s for group in list(self.sockets.values()) for s in list(group)], text)

    async def to_hosts(self, message: dict[str, Any]) -> None:
        await self._write(list(self.hosts), encode(message))

    async def to_all(self, message: dict[str, Any]) -> None:
        text = encode(message)
        await self._write([*self.hosts, *(s for group in list(self.sockets.values()) for s in list(group))], text)

    async def to_player(self, player_id: int, message: dict[str, Any]) -> None:
        await self._write(list(self.sockets.get(player_id, ())), encode(message))

    def notify_hosts(self, kind: str) -> None:
        """The lobby list and the answer count reach the host at most every quarter second: a join
        storm or 5,000 answers cost a handful of host frames, not one each."""
        if kind in self.throttled or not self.hosts:
            return
        self.throttled.add(kind)
        task = asyncio.create_task(self._notify_later(kind))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _notify_later(self, kind: str) -> None:
        await asyncio.sleep(HOST_UPDATE_SECONDS)
        self.throttled.discard(kind)
        if kind == "lobby":
            await self.to_hosts(self.lobby())
        elif self.engine.phase == engine.QUESTION:
            await self.to_hosts({"type": "answered", "index": self.engine.index,
                                 "count": self.engine.answered_count(self.engine.index),
                                 "players": self.engine.active_count})

    # --- views of the state ------------------------------------------------------------------------------

    def now(self) -> float:
        return time.monotonic()

    def lobby(self) -> dict[str, Any]:
        players = self.engine.active_players()
        return {"type": "lobby", "count": len(players),
                "players": [{"id": p.id, "nickname": p.nickname, "team": p.team} for p in players[-200:]]}

    def team_board(self) -> list[dict[str, Any]]:
        """Teams by their members' average score (empty when the game has no teams)."""
        if not self.teams:
            return []
        scores = self.engine.team_scores()
        members: dict[str, int] = {}
        for p in self.engine.active_players():
            members[p.team] = members.get(p.team, 0) + 1
        order = sorted(self.teams, key=lambda t: (-scores.get(t, 0), self.teams.index(t)))
        return [{"team": t, "score": scores.get(t, 0), "members": members.get(t, 0), "place": n}
                for n, t in enumerate(order, start=1)]

    def question_frame(self) -> dict[str, Any]:
        q = self.engine.question
        if q is None:
            return {}
        left = self.engine.time_left(self.now())
        options = [{"i": i, "text": q.options[i], "letter": LETTERS[n]} for n, i in enumerate(self.order)]
        return {"type": "question", "index": self.engine.index, "total": len(self.specs), "kind": q.kind,
                "text": q.text, "options": options, "seconds": q.seconds, "points": q.points,
                "time_left_ms": None if left is None else round(left * 1000), "paused": self.engine.paused}

    def reveal_frame(self, index: int) -> dict[str, Any]:
        q = self.specs[index]
        answered = self.engine.answered(index)
        scored = [r for r in answered if r.correct is not None]
        return {"type": "reveal", "index": index, "kind": q.kind, "solution": q.solution(),
                "options": [{"i": i, "text": t} for i, t in enumerate(q.options)],
                "distribution": self.engine.distribution(index), "answered": len(answered),
                "correct_share": round(100 * sum(1 for r in scored if r.correct) / len(scored)) if scored else None,
                "explanation": self.explanations[index],
                "leaderboard": self.engine.leaderboard(5), "teams": self.team_board(),
                "last": index + 1 >= len(self.specs)}

    def host_state(self) -> dict[str, Any]:
        e = self.engine
        state: dict[str, Any] = {"type": "state", "role": "host", "phase": e.phase, "pin": self.pin,
                                 "title": self.title, "index": e.index, "total": len(self.specs),
                                 "lobby": self.lobby(), "leaderboard": e.leaderboard(5), "teams": self.team_board()}
        if e.phase == engine.QUESTION:
            state["question"] = self.question_frame()
            state["answered"] = e.answered_count(e.index)
        elif e.phase == engine.REVEAL:
            state["reveal"] = self.reveal_frame(e.index)
        elif e.phase == engine.FINISHED:
            state["podium"] = e.leaderboard(3)
        return state

    def player_state(self, player: engine.PlayerState) -> dict[str, Any]:
        e = self.engine
        state: dict[str, Any] = {"type": "state", "role": "player", "phase": e.phase, "title": self.title,
                                 "nickname": player.nickname, "team": player.team, "score": player.score,
                                 "streak": player.streak,
                                 "index": e.index, "total": len(self.specs)}
        if e.phase == engine.QUESTION:
            state["question"] = self.question_frame()
            state["answered"] = (e.index, player.id) in e.answers
        if e.phase in (engine.REVEAL, engine.FINISHED):
            state["place"] = e.places().get(player.id)
        return state

    # --- players -----------------------------------------------------------------------------------------

    def join(self, nickname: str, team: str = "") -> engine.PlayerState:
        if len(self.engine.players) >= MAX_PLAYERS:
            raise Refused("В игре уже максимальное число игроков.", "full")
        if self.teams and team not in self.teams:
            raise Refused("Выберите команду." if not team else "Такой команды нет в игре: выберите из списка.",
                          "team", teams=self.teams)
        team = team if self.teams else ""
        if nickname:
            problem = nicknames.check(nickname)
            if problem:
                raise Refused(problem, "nickname")
            nickname = nicknames.clean(nickname)
        else:
            nickname = nicknames.generate()
            for n in range(2, 1000):
                if not self.engine.nickname_taken(nickname):
                    break
                nickname = f"{nickname.rsplit(' ', 1)[0] if n > 2 else nickname} {n}"[:nicknames.MAX_LEN]
        return self.engine.join(nickname, secrets.token_urlsafe(24), team=team[:24])

    def attach(self, player_id: int, send: Send) -> None:
        self.sockets.setdefault(player_id, set()).add(send)

    def detach(self, player_id: int | None, send: Send) -> None:
        self.hosts.discard(send)
        if player_id is not None and player_id in self.sockets:
            self.sockets[player_id].discard(send)
            if not self.sockets[player_id]:
                del self.sockets[player_id]

    async def kick(self, player_id: int) -> None:
        player = self.engine.kick(player_id)
        await self.to_player(player.id, {"type": "kicked", "message": "Ведущий удалил вас из этой игры."})
        self.sockets.pop(player.id, None)
        self.notify_hosts("lobby")

    # --- answers -------------------------------------------------------------------------------------------

    async def answer(self, player_id: int, frame: dict[str, Any]) -> dict[str, Any]:
        question = frame.get("question")
        if isinstance(question, bool) or not isinstance(question, int):
            raise Refused("Ответ не распознан.", "bad_answer")
        outcome = self.engine.answer(player_id, frame.get("answer_id"), question, frame.get("value"),  # type: ignore[arg-type]
                                     self.now())
        if not outcome.duplicate:
            self.pending.append(outcome.record)
            self.notify_hosts("answered")
            if self.engine.all_answered():
                await self.close_question()
        return {"type": "answer_ack", "answer_id": outcome.record.answer_id, "question": question,
                "status": "duplicate" if outcome.duplicate else "accepted",
                "message": "Ответ принят." if not outcome.duplicate else "Этот ответ уже принят."}

    # --- the host's commands ---------------------------------------------------------------------------------

    async def next_question(self) -> None:
        if self.engine.phase == engine.QUESTION:
            await self.close_question()
        q = self.engine.open_next(self.now())
        if q is None:
            await self.end()
            return
        self.order = list(range(len(q.options)))
        if q.kind == engine.ORDERING:
            while len(self.order) > 1 and self.order == sorted(self.order):
                secrets.SystemRandom().shuffle(self.order)
        await self.to_all(self.question_frame())
        self._arm()
        if self.engine.index == 0:
            await self.flush(Game.Status.RUNNING)

    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        left = self.engine.time_left(self.now())
        if left is not None:
            self.timer = asyncio.create_task(self._expire(self.engine.index, left))

    async def _expire(self, index: int, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.engine.phase == engine.QUESTION and self.engine.index == index and self.engine.due(self.now()):
            await self.close_question()

    async def close_question(self) -> None:
        if self.engine.phase != engine.QUESTION:
            raise Refused("Сейчас нет открытого вопроса.", "state")
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()
        self.timer = None
        index = self.engine.index
        self.engine.close()
        self.engine.break_streaks(index)
        await self.to_all(self.reveal_frame(index))
        places = self.engine.places()
        for pid in list(self.sockets):
            player = self.engine.players[pid]
            record = self.engine.answers.get((index, pid))
            await self.to_player(pid, {"type": "result", "index": index, "answered": record is not None,
                                       "correct": record.correct if record else None,
                                       "points": record.points if record else 0, "score": player.score,
                                       "streak": player.streak, "place": places.get(pid)})
        await self.flush(Game.Status.RUNNING)

    async def skip(self) -> None:
        """Leave the open question without showing its answer and go to the next."""
        if self.engine.phase == engine.QUESTION:
            index = self.engine.index
            self.engine.close()
            self.engine.break_streaks(index)
            await self.flush(Game.Status.RUNNING)
        await self.next_question()

    async def pause(self) -> None:
        self.engine.pause(self.now())
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        await self.to_all({"type": "paused", "message": "Пауза."})

    async def resume(self) -> None:
        self.engine.resume(self.now())
        self._arm()
        await self.to_all(self.question_frame())

    async def end(self) -> None:
        if self.engine.phase == engine.QUESTION:
            await self.close_question()
        self.engine.finish()
        await self.flush(Game.Status.FINISHED)
        podium = self.engine.leaderboard(3)
        teams = self.team_board()
        await self.to_hosts({"type": "finished", "podium": podium, "leaderboard": self.engine.leaderboard(5),
                             "teams": teams})
        places = self.engine.places()
        for pid in list(self.sockets):
            player = self.engine.players[pid]
            await self.to_player(pid, {"type": "finished", "podium": podium, "place": places.get(pid),
                                       "score": player.score, "players": len(places), "teams": teams})
        self.closed = True
        STORE.forget(self)

    async def flush(self, status: str) -> None:
        """Store the answers taken since the last flush, new players and kicks; the scores (which the
        stored answers add up to) at the end of the game."""
        async with self.flushing:
            records, self.pending = self.pending, []
            final = status == Game.Status.FINISHED
            players = []
            for p in self.engine.players.values():
                saved = self.saved.get(p.id)
                if saved is None or saved[1] != p.kicked or (final and saved[0] != p.score):
                    players.append({"id": p.id, "nickname": p.nickname, "team": p.team, "score": p.score,
                                    "kicked": p.kicked})
                    self.saved[p.id] = (p.score, p.kicked)
            answers = [{"player_id": r.player_id, "question": r.question, "answer_id": r.answer_id,
                        "value": r.value, "fraction": r.fraction, "correct": r.correct, "points": r.points,
                        "elapsed": r.elapsed} for r in records]
            # A thread of its own, not the one shared thread of database_sync_to_async: a round of
            # 5,000 answers must not hold up the host's next command (its rights check) behind it.
            await _record_round(actor=Actor.system(), game_id=self.id, status=status, players=players,
                                answers=answers)


class InProcessStore:
    """Live games of this process, found by PIN or id; wrong PINs counted per address."""

    def __init__(self) -> None:
        self.by_pin: dict[str, LiveGame] = {}
        self.by_id: dict[int, LiveGame] = {}
        self.failures: dict[str, deque[float]] = {}

    def load(self, game: Game) -> LiveGame:
        """The game's live state, created on first use (no await in between: one event loop owns it)."""
        live = self.by_id.get(game.pk)
        if live is None:
            live = LiveGame(game)
            self.by_id[game.pk], self.by_pin[game.pin] = live, live
        return live

    async def find(self, pin: str) -> LiveGame | None:
        live = self.by_pin.get(pin)
        if live is not None:
            return live
        game = await database_sync_to_async(_live_game)(pin)
        return None if game is None else self.load(game)

    def forget(self, live: LiveGame) -> None:
        self.by_pin.pop(live.pin, None)
        self.by_id.pop(live.id, None)

    def blocked(self, address: str) -> bool:
        times = self.failures.get(address)
        now = time.monotonic()
        while times and times[0] < now - PIN_WINDOW:
            times.popleft()
        return times is not None and len(times) >= PIN_FAILURES

    def failed(self, address: str) -> None:
        self.failures.setdefault(address, deque()).append(time.monotonic())
        if len(self.failures) > 100_000:  # bounded: forget the oldest addresses
            for key in list(self.failures)[:10_000]:
                del self.failures[key]


_record_round = DatabaseSyncToAsync(services.record_round, thread_sensitive=False)


def _live_game(pin: str) -> Game | None:
    return Game.objects.filter(pin=pin).exclude(status=Game.Status.FINISHED).first()


STORE = InProcessStore()
