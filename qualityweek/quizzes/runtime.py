"""Live games in this process: one ``LiveGame`` per running game, holding its ``engine.Engine``, its
local sockets and its question timer (docs/decisions/0016).

Fan-out: an event is encoded to JSON **once** and the same text is written to every local socket of
the game — no channel-layer message per player.

Two stores (``QUIZ_STORE``): ``memory``, the embedded default (one process holds every game), and
``redis`` for several app nodes (docs/decisions/0016): a game is run by the one node holding its lease
in Redis; its state is a snapshot plus a journal in Redis, so another node takes the game over when
the owner stops; sockets that reach other nodes are relayed to the owner, and the owner sends each
event **once per node** (that node writes it to its own sockets), never once per player.

The database sees a game in batches: players, scores and the answers of a question are stored when
the question closes and when the game ends (``services.record_round``), never once per answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import Any

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings

from qualityweek.core.audit import Actor

from . import engine, nicknames, selectors, services
from .engine import Refused
from .models import Game

Send = Callable[[str], Awaitable[None]]
log = logging.getLogger(__name__)
PIN_FAILURES, PIN_WINDOW = 10, 60.0  # wrong PINs per address per minute
MAX_PLAYERS = 10_000
HOST_UPDATE_SECONDS = 0.25
LETTERS = "ABCDEF"
STORE_RETRY_FIRST, STORE_RETRY_MAX = 0.5, 30.0  # seconds before a failed database write is tried again
STATUS_ORDER: list[str] = [Game.Status.LOBBY, Game.Status.RUNNING, Game.Status.FINISHED]


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class LiveGame:
    def __init__(self, game: Game) -> None:
        self.id, self.pin, self.title = game.pk, game.pin, game.title
        self.organisation_id = game.organisation_id
        self.specs = [engine.QuestionSpec.from_dict(q) for q in game.questions]
        self.explanations = [q.get("explanation", "") for q in game.questions]
        # A question's picture: its URL carries the key that lets this game's players fetch it.
        self.images = [(selectors.image_url(game.pk, n) if q.get("image") else "", q.get("image_alt", ""))
                       for n, q in enumerate(game.questions)]
        self.engine = engine.Engine(self.specs, mode=game.scoring)
        self.teams: list[str] = list(game.teams)
        self.hosts: set[Send] = set()
        self.sockets: dict[int, set[Send]] = {}
        self.pending: list[engine.AnswerRecord] = []
        self.timer: asyncio.Task[None] | None = None
        self.flushing = asyncio.Lock()
        self.order: list[int] = []  # the order a question's options are shown in (shuffled for ordering)
        self.closed = False
        self.status: str = game.status  # the status the database is to hold (stored with the next flush)
        self.retry: asyncio.Task[None] | None = None  # a failed write being tried again
        self.moved = False  # another node runs the game now (the Redis store)
        self.saved: dict[int, tuple[int, bool]] = {}  # player -> (score, kicked) as last stored
        self.throttled: set[str] = set()
        self.background: set[asyncio.Task[None]] = set()
        self.clock: Callable[[], float] = time.monotonic  # the Redis store uses wall time: nodes share it
        self.seq = 0  # the number of the last change journalled (the Redis store replays those after a snapshot)

    # --- sending -----------------------------------------------------------------------------------

    async def _write(self, targets: list[Send], text: str) -> None:
        """The same text to every target: local sockets directly, another node's sockets in one
        message to that node (with their connection ids)."""
        await self._write_each([(send, text) for send in targets])

    async def _write_each(self, frames: list[tuple[Send, str]]) -> None:
        remote: dict[str, list[tuple[str, str]]] = {}
        for send, text in frames:
            if isinstance(send, RemoteSend):
                remote.setdefault(send.node, []).append((send.conn, text))
                continue
            try:
                await send(text)
            except Exception:  # noqa: S112 - a socket closing mid-send never stops the fan-out
                continue
        for node, items in remote.items():
            texts = {text for _, text in items}
            if len(texts) == 1:  # an event for all: its text once, and the connections it goes to
                await STORE.deliver(node, {"op": "send", "conns": [c for c, _ in items], "text": texts.pop()})
            else:
                await STORE.deliver(node, {"op": "each", "items": items})

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
        return self.clock()

    async def journal(self, player: engine.PlayerState, record: engine.AnswerRecord | None = None) -> None:
        """Keep a change (a player joined or was kicked, an answer taken) before it is acknowledged."""
        self.seq += 1
        await STORE.journal(self, {"seq": self.seq, "player": asdict(player),
                                   "answer": asdict(record) if record else None})

    async def snapshot(self) -> None:
        self.seq += 1
        await STORE.snapshot(self)

    def lobby(self) -> dict[str, Any]:
        players = self.engine.active_players()
        return {"type": "lobby", "count": len(players),
                "players": [{"id": p.id, "nickname": p.nickname, "team": p.team, "online": p.id in self.sockets}
                            for p in players[-200:]]}

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
                "time_left_ms": None if left is None else round(left * 1000), "paused": self.engine.paused,
                "image": self.images[self.engine.index][0], "image_alt": self.images[self.engine.index][1]}

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
        await self.journal(player)
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
            # Pending before the journal write: the engine holds the answer from here on (a retry is a
            # duplicate), so it is stored even if that write fails and no acknowledgement goes out.
            self.pending.append(outcome.record)
            await self.journal(self.engine.players[player_id], outcome.record)
            self.notify_hosts("answered")
            # The journal write let other answers in: one of them may have closed the question already
            # (all_answered is False then), and this answer, accepted, is acknowledged all the same.
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
        await self.snapshot()  # before the question reaches anyone: a node taking over knows it is open
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
            with contextlib.suppress(Refused):  # moved to another node: its own clock closes the question
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
        await self.snapshot()  # before anyone sees the answer: a node taking over shows the same reveal
        await self.to_all(self.reveal_frame(index))
        places = self.engine.places()
        frames = []
        for pid, sends in list(self.sockets.items()):
            player = self.engine.players[pid]
            record = self.engine.answers.get((index, pid))
            text = encode({"type": "result", "index": index, "answered": record is not None,
                           "correct": record.correct if record else None,
                           "points": record.points if record else 0, "score": player.score,
                           "streak": player.streak, "place": places.get(pid)})
            frames += [(send, text) for send in sends]
        await self._write_each(frames)  # per player, yet one message per node
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
        await self.snapshot()
        await self.to_all({"type": "paused", "message": "Пауза."})

    async def resume(self) -> None:
        self.engine.resume(self.now())
        await self.snapshot()
        self._arm()
        await self.to_all(self.question_frame())

    async def end(self) -> None:
        if self.engine.phase == engine.QUESTION:
            await self.close_question()
        self.engine.finish()
        self.closed = True  # the game leaves the store once this last write has landed (see flush)
        await self.flush(Game.Status.FINISHED)
        podium = self.engine.leaderboard(3)
        teams = self.team_board()
        await self.to_hosts({"type": "finished", "podium": podium, "leaderboard": self.engine.leaderboard(5),
                             "teams": teams})
        places = self.engine.places()
        frames = []
        for pid, sends in list(self.sockets.items()):
            player = self.engine.players[pid]
            text = encode({"type": "finished", "podium": podium, "place": places.get(pid),
                           "score": player.score, "players": len(places), "teams": teams})
            frames += [(send, text) for send in sends]
        await self._write_each(frames)

    async def flush(self, status: str) -> bool:
        """Store the answers taken since the last flush, new players and kicks; the scores (which the
        stored answers add up to) at the end of the game. A write that fails (the database locked or
        away) keeps everything pending and is tried again in the background until it lands: an
        acknowledged answer is never dropped. A finished game leaves the store (and Redis, which
        keeps its answers until then) once its last write has landed."""
        self.status = max(self.status, status, key=STATUS_ORDER.index)  # a retry never moves a game back
        async with self.flushing:
            stored = await self._write_round()
        if stored and self.closed:
            await STORE.forget(self)
        elif not stored and (self.retry is None or self.retry.done()):
            self.retry = asyncio.create_task(self._write_round_later())
        return stored

    async def _write_round(self) -> bool:
        records, self.pending = self.pending, []
        final = self.status == Game.Status.FINISHED
        players, marks = [], {}
        for p in self.engine.players.values():
            saved = self.saved.get(p.id)
            if saved is None or saved[1] != p.kicked or (final and saved[0] != p.score):
                players.append({"id": p.id, "nickname": p.nickname, "team": p.team, "score": p.score,
                                "kicked": p.kicked})
                marks[p.id] = (p.score, p.kicked)
        answers = [{"player_id": r.player_id, "question": r.question, "answer_id": r.answer_id,
                    "value": r.value, "fraction": r.fraction, "correct": r.correct, "points": r.points,
                    "elapsed": r.elapsed} for r in records]
        try:
            # A thread of its own, not the one shared thread of database_sync_to_async: a round of
            # 5,000 answers must not hold up the host's next command (its rights check) behind it.
            await _record_round(actor=Actor.system(), game_id=self.id, status=self.status, players=players,
                                answers=answers)
        except Exception:
            self.pending = records + self.pending
            log.exception("quiz game %s: %d answers not stored yet; trying again", self.id, len(records))
            return False
        self.saved.update(marks)
        return True

    async def _write_round_later(self) -> None:
        """Try a failed write again, waiting longer each time."""
        delay = STORE_RETRY_FIRST
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, STORE_RETRY_MAX)
            if await self.flush(self.status):
                return


class InProcessStore:
    """Live games of this process, found by PIN or id; wrong PINs counted per address."""

    def __init__(self) -> None:
        self.by_pin: dict[str, LiveGame] = {}
        self.by_id: dict[int, LiveGame] = {}
        self.failures: dict[str, deque[float]] = {}

    def _register(self, live: LiveGame) -> LiveGame:
        self.by_id[live.id], self.by_pin[live.pin] = live, live
        return live

    async def open(self, game: Game) -> LiveGame:
        """The game's live state, created on first use (no await in between: one event loop owns it)."""
        live = self.by_id.get(game.pk)
        return live if live is not None else self._register(LiveGame(game))

    async def find(self, pin: str) -> LiveGame | None:
        live = self.by_pin.get(pin)
        if live is not None:
            return live
        game = await database_sync_to_async(_live_game)(pin)
        return None if game is None else await self.open(game)

    async def forget(self, live: LiveGame) -> None:
        self.by_pin.pop(live.pin, None)
        self.by_id.pop(live.id, None)

    async def journal(self, live: LiveGame, entry: dict[str, Any]) -> None:
        """Nothing to keep: the process is the store."""

    async def snapshot(self, live: LiveGame) -> None:
        """Nothing to keep: the process is the store."""

    async def deliver(self, node: str, message: dict[str, Any]) -> bool:
        raise RuntimeError("one process holds every socket: there is no other node")

    async def release(self, game_id: int, node: str) -> None:
        raise RuntimeError("one process holds every socket: there is no other node")

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


# --- several nodes ----------------------------------------------------------------------------------------

NODE = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
LEASE_MS = 10_000  # a stopped owner's games move to another node within this time (sooner on a relay miss)
REDIS_CONNECTIONS = 64  # per node
KEEP_SECONDS = 24 * 3600  # a game's state in Redis outlives any real game
# Every lease of this node in one round trip. A lease that expired while the node was starved of CPU
# (the renewer could not run for 10 s) is taken back if no other node took it: nobody else can have
# loaded the game (loading takes the lease), so this node's state is still the newest. Returns the
# leases another node holds now.
_RENEW = """
local lost = {}
for _, key in ipairs(KEYS) do
  local holder = redis.call('get', key)
  if holder == ARGV[1] then redis.call('pexpire', key, ARGV[2])
  elseif not holder then redis.call('set', key, ARGV[1], 'PX', ARGV[2])
  else table.insert(lost, key) end
end
return lost
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# A change of a game's state is written only while this node holds its lease (a lease that lapsed
# with nobody taking it is taken back, as in _RENEW): the node that takes a game over takes the lease
# first and reads the state after, so every change acknowledged by the old owner is in what it reads,
# and the old owner can acknowledge nothing more. Returns the other holder, or false when written.
_FENCE = """
local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
"""
_JOURNAL = _FENCE + """
redis.call('rpush', KEYS[2], ARGV[3])
redis.call('expire', KEYS[2], ARGV[4])
return false
"""
_SNAPSHOT = _FENCE + """
redis.call('set', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('del', KEYS[3])
return false
"""
MOVED = "Игра переходит на другой сервер: переподключаемся…"


class Elsewhere(Exception):
    """The game is run by another node: relay this socket's frames there."""

    def __init__(self, game_id: int, node: str) -> None:
        super().__init__(node)
        self.game_id, self.node = game_id, node


@dataclass(frozen=True)
class RemoteSend:
    """A socket held by another node. Frames for it go to that node's channel; a fan-out groups
    them so that one event is one message per node."""

    node: str
    conn: str

    async def __call__(self, text: str) -> None:
        await STORE.deliver(self.node, {"op": "each", "items": [(self.conn, text)]})


NodeHandler = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]


class RedisStore(InProcessStore):
    """Games shared by several app nodes through Redis (``QUIZ_STORE=redis``).

    - A game is run by one node at a time, the holder of ``quiz:lease:<id>`` (renewed while it runs).
    - Its state is a snapshot (``quiz:state:<id>``, written at every phase change) plus a journal of
      the changes since (``quiz:journal:<id>``: joins, kicks and every answer, written before the
      answer is acknowledged), so the node that takes a game over loses no accepted answer.
    - Each node listens on its own channel ``quiz:node:<node>``: relayed frames from sockets on other
      nodes, and frames to write to its own sockets.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.handler: NodeHandler | None = None
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.opening: dict[int, asyncio.Lock] = {}

    @property
    def redis(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._redis is None or self._loop is not loop:  # a server has one loop; a test suite many
            import redis.asyncio as aioredis

            # A blocking pool: a burst of answers waits for a free connection instead of failing.
            pool = aioredis.BlockingConnectionPool.from_url(self.url, decode_responses=True, socket_timeout=30,
                                                            max_connections=REDIS_CONNECTIONS, timeout=30)
            self._redis = aioredis.Redis(connection_pool=pool)
            self._loop, self._listener, self._renewer, self._ready = loop, None, None, None
            self.opening = {}
        return self._redis

    async def open(self, game: Game) -> LiveGame:
        live = self.by_id.get(game.pk)
        if live is not None:
            return live
        await self.listen()
        # One opening per game at a time: two sockets of this node arriving together must not each
        # load a copy of the game (the players joined to the copy not kept would never see a question).
        async with self.opening.setdefault(game.pk, asyncio.Lock()):  # dropped when the game ends here
            live = self.by_id.get(game.pk)
            return live if live is not None else await self._load(game)

    async def _load(self, game: Game) -> LiveGame:
        lease = f"quiz:lease:{game.pk}"
        if not await self.redis.set(lease, NODE, nx=True, px=LEASE_MS):
            holder = await self.redis.get(lease)
            if holder is not None and holder != NODE:
                raise Elsewhere(game.pk, holder)
            await self.redis.set(lease, NODE, px=LEASE_MS)
        live = LiveGame(game)
        live.clock = time.time
        await self._restore(live)
        self._register(live)
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew())
        return live

    async def _restore(self, live: LiveGame) -> None:
        raw = await self.redis.get(f"quiz:state:{live.id}")
        entries = [json.loads(e) for e in await self.redis.lrange(f"quiz:journal:{live.id}", 0, -1)]
        if raw is None and not entries:
            return
        if raw is not None:
            data = json.loads(raw)
            live.engine = engine.Engine.from_dict(live.specs, data["engine"])
            live.order, live.seq = data["order"], data["seq"]
        for entry in sorted(entries, key=lambda e: e["seq"]):
            if entry["seq"] <= live.seq:
                continue
            live.engine.restore_player(engine.PlayerState(**entry["player"]))
            if entry["answer"]:
                live.engine.restore_answer(engine.AnswerRecord(**entry["answer"]))
            live.seq = entry["seq"]
        # Every answer is stored again (storing is idempotent): the old owner may have had a failed
        # write still waiting to be tried again.
        live.pending = list(live.engine.answers.values())
        log.info("quiz game %s taken over by node %s at question %s", live.id, NODE, live.engine.index)
        if live.engine.phase == engine.QUESTION and not live.engine.paused:
            live._arm()

    async def journal(self, live: LiveGame, entry: dict[str, Any]) -> None:
        holder = await self.redis.eval(_JOURNAL, 2, f"quiz:lease:{live.id}", f"quiz:journal:{live.id}", NODE,
                                       LEASE_MS, json.dumps(entry, ensure_ascii=False), KEEP_SECONDS)
        await self._fenced(live, holder)

    async def snapshot(self, live: LiveGame) -> None:
        state = json.dumps({"engine": live.engine.to_dict(), "order": live.order, "seq": live.seq},
                           ensure_ascii=False)
        holder = await self.redis.eval(_SNAPSHOT, 3, f"quiz:lease:{live.id}", f"quiz:state:{live.id}",
                                       f"quiz:journal:{live.id}", NODE, LEASE_MS, state, KEEP_SECONDS)
        await self._fenced(live, holder)

    async def _fenced(self, live: LiveGame, holder: str | None) -> None:
        """A write refused because another node holds the game now: this node lets the game go and
        the change is not acknowledged (the player's page reconnects and sends it again)."""
        if holder:
            await self.let_go(live)
            raise Refused(MOVED, "moved")

    async def let_go(self, live: LiveGame) -> None:
        """Another node runs the game now: stop running it here (timer, retries) and tell every socket
        of it to reconnect, which brings each to the new owner with its token."""
        if live.moved:
            return
        live.moved = True
        log.warning("quiz game %s: another node holds its lease now; node %s lets it go", live.id, NODE)
        for task in (live.timer, live.retry):
            if task is not None and task is not asyncio.current_task():
                task.cancel()  # the new owner stores what this node had not: it read it from Redis
        await InProcessStore.forget(self, live)
        await live.to_all({"type": "error", "code": "moved", "message": MOVED})

    async def forget(self, live: LiveGame) -> None:
        await super().forget(live)
        self.opening.pop(live.id, None)
        await self.redis.delete(f"quiz:state:{live.id}", f"quiz:journal:{live.id}")
        await self.redis.eval(_RELEASE, 1, f"quiz:lease:{live.id}", NODE)

    async def release(self, game_id: int, node: str) -> None:
        """The owner did not hear a relayed frame: it is gone, so its lease goes now, not at expiry."""
        await self.redis.eval(_RELEASE, 1, f"quiz:lease:{game_id}", node)

    async def deliver(self, node: str, message: dict[str, Any]) -> bool:
        """A message to one node's channel; False when no node listens there (it stopped)."""
        received = await self.redis.publish(f"quiz:node:{node}", json.dumps(message, ensure_ascii=False))
        return bool(received)

    async def listen(self) -> None:
        """Start this node's listener once, and return when it is subscribed."""
        self.redis  # noqa: B018 - binds the client (and the listener) to the running loop
        if self._listener is None or self._listener.done() or self._ready is None:
            self._ready = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(self._ready))
        await self._ready.wait()

    async def close(self) -> None:
        """Stop listening and renewing, and close the connections (a node stopping; a test's loop)."""
        for task in (self._listener, self._renewer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._redis is not None:
            await self._redis.aclose(close_connection_pool=True)
        self._redis = self._loop = None

    async def _listen(self, ready: asyncio.Event) -> None:
        """This node's channel, for as long as the process runs: a dropped connection (Redis restarted,
        a full output buffer) is subscribed again rather than leaving the node deaf."""
        tasks: set[asyncio.Task[None]] = set()
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(f"quiz:node:{NODE}")
                ready.set()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None or self.handler is None:
                        continue
                    data = json.loads(message["data"])
                    if data.get("op") in ("send", "each"):
                        # Frames for our sockets are written in the order they came (a reveal never
                        # overtakes its question).
                        await self.handler(data)
                        continue
                    # A relayed frame gets a task, so a slow one (a join reads the database) never
                    # holds the channel; each session keeps its own frames in order (Session.lock).
                    task: asyncio.Task[None] = asyncio.create_task(self.handler(data))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("quiz node %s: its Redis channel was lost; subscribing again", NODE)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _renew(self) -> None:
        while self.by_id:
            await asyncio.sleep(LEASE_MS / 3000)
            games = {f"quiz:lease:{live.id}": live for live in self.by_id.values()}
            if not games:
                continue
            try:
                lost = await self.redis.eval(_RENEW, len(games), *games, NODE, LEASE_MS)
            except Exception:  # Redis away for a moment: try again at the next tick, the lease may hold
                log.exception("quiz node %s: leases not renewed", NODE)
                continue
            for key in lost:
                await self.let_go(games[key])


_record_round = DatabaseSyncToAsync(services.record_round, thread_sensitive=False)


def _live_game(pin: str) -> Game | None:
    return Game.objects.filter(pin=pin, mode=Game.Mode.LIVE).exclude(status=Game.Status.FINISHED).first()


def _store() -> InProcessStore:
    if settings.QUIZ_STORE == "redis":
        return RedisStore(settings.REDIS_URL)
    return InProcessStore()


STORE = _store()
