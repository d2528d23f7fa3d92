"""One live game across two app nodes sharing Redis (``QUIZ_STORE=redis``): two real uvicorn
processes, the host and a player on node A, three players on node B relayed to A; the question
reaches B's three sockets in **one** message; then node A is killed and node B takes the game over
from Redis — every player returns with their score, the game goes on to the podium, and every
accepted answer is stored exactly once. Runs on PostgreSQL with Redis (the nodes share the database)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from qualityweek.core.audit import Actor
from qualityweek.quizzes import services
from qualityweek.quizzes.models import Answer, Game, Player
from tests.conftest import session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
]
ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _node(port: int) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL, QUIZ_STORE="redis", SECRET_KEY=settings.SECRET_KEY, DEBUG="1",
        CACHE_KEY_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", ""),
        DJANGO_SETTINGS_MODULE="qualityweek.settings",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets-sansio", "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        assert proc.poll() is None, "the node exited during start-up"
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the node did not start")


def _connect(port, cookie=None):
    headers = {"Origin": f"http://127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    return connect(f"ws://127.0.0.1:{port}/ws/quiz/", additional_headers=headers, legacy=True)


def _send(ws, frame):
    ws.send(json.dumps(frame))


SEEN: dict[int, list[dict]] = {}  # frames read while looking for another kind, by socket


def _until(ws, kind, timeout=15):
    """The next frame of this kind (the last answer's result may come before its acknowledgement)."""
    early = SEEN.setdefault(id(ws), [])
    for msg in early:
        if msg["type"] == kind:
            early.remove(msg)
            return msg
    while True:
        msg = json.loads(ws.recv(timeout=timeout))
        if msg["type"] == kind:
            return msg
        if msg["type"] in ("result", "answer_ack", "finished"):
            early.append(msg)


def _join(port, pin, nickname="", token=None):
    ws = _connect(port)
    _send(ws, {"type": "join", "pin": pin, "nickname": nickname, **({"token": token} if token else {})})
    joined = _until(ws, "joined")
    return ws, joined, _until(ws, "state")


def _questions_sent_between_nodes(bus) -> list[dict]:
    seen: list[dict] = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        msg = bus.get_message(timeout=0.2)
        if msg and msg["type"] == "pmessage" and '\\"type\\":\\"question\\"' in msg["data"]:
            seen.append(json.loads(msg["data"]))
    return seen


def test_a_game_survives_its_node(client, world, school_quiz):  # noqa: C901 - one story, told in order
    if connection.vendor != "postgresql":
        pytest.skip("the two nodes share the test database: PostgreSQL")
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, scoring="accuracy")
    cookie = session_cookie(client, world.teacher)
    port_a, port_b = _port(), _port()
    node_a, node_b = _node(port_a), _node(port_b)
    bus = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True).pubsub()
    bus.psubscribe("quiz:node:*")
    sockets = []
    try:
        host = _connect(port_a, cookie)
        sockets.append(host)
        _send(host, {"type": "host", "game": game.pk})
        assert _until(host, "state")["phase"] == "lobby"
        anna, a, _ = _join(port_a, game.pin, "Анна")
        far = [_join(port_b, game.pin, name) for name in ("Борис", "Вера", "Глеб")]  # relayed to node A
        sockets += [anna, *(ws for ws, _, _ in far)]
        assert {j["nickname"] for _, j, _ in far} == {"Борис", "Вера", "Глеб"}

        while bus.get_message(timeout=0.05):  # what went by before the question
            pass
        _send(host, {"type": "next"})
        for ws in (anna, *(ws for ws, _, _ in far)):
            assert _until(ws, "question")["index"] == 0
        # The question went to node B once, for its three sockets — not once per player.
        to_b = _questions_sent_between_nodes(bus)
        assert [m["op"] for m in to_b] == ["send"]
        assert len(to_b[0]["conns"]) == 3

        for n, ws in enumerate((anna, *(ws for ws, _, _ in far))):
            _send(ws, {"type": "answer", "answer_id": f"q0-{n}", "question": 0, "value": [0]})
            assert _until(ws, "answer_ack")["status"] == "accepted"
        scores = {}
        for name, ws in zip(("Анна", "Борис", "Вера", "Глеб"), (anna, *(ws for ws, _, _ in far)), strict=True):
            scores[name] = _until(ws, "result")["score"]
        assert all(s > 0 for s in scores.values())

        bus.punsubscribe()  # (a pattern listener counts as a receiver of the dead node's channel)
        # Node A stops dead, holding the game.
        node_a.send_signal(signal.SIGKILL)
        node_a.wait(10)
        boris = far[0][0]
        _send(boris, {"type": "state"})  # relayed to a node that is gone: the socket closes to reconnect
        assert _until(boris, "error")["code"] == "moved"

        # Everyone comes back through node B, which takes the game over from Redis.
        host = _connect(port_b, cookie)
        sockets.append(host)
        _send(host, {"type": "host", "game": game.pk})
        state = _until(host, "state")
        assert (state["phase"], state["index"]) == ("reveal", 0)
        back = {}
        for name, (_, joined, _) in zip(("Борис", "Вера", "Глеб"), far, strict=True):
            back[name] = _join(port_b, game.pin, token=joined["token"])
        back["Анна"] = _join(port_b, game.pin, token=a["token"])
        for name, (ws, _, st) in back.items():
            sockets.append(ws)
            assert st["score"] == scores[name], name

        _send(host, {"type": "next"})
        for n, (ws, _, _) in enumerate(back.values()):
            assert _until(ws, "question")["index"] == 1
            _send(ws, {"type": "answer", "answer_id": f"q1-{n}", "question": 1, "value": "Роскачество"})
            assert _until(ws, "answer_ack")["status"] == "accepted"
        _send(host, {"type": "end"})
        podium = _until(host, "finished")["podium"]
        assert len(podium) == 3
    finally:
        for ws in sockets:
            ws.close()
        bus.close()
        for node in (node_a, node_b):
            if node.poll() is None:
                node.terminate()
                node.wait(10)

    game.refresh_from_db()
    assert game.status == Game.Status.FINISHED
    assert Player.objects.filter(game=game).count() == 4
    assert Answer.objects.filter(game=game).count() == 8  # each accepted answer once, across the move
    for player in Player.objects.filter(game=game):
        assert player.score == sum(Answer.objects.filter(player=player).values_list("points", flat=True))


def test_a_node_that_lost_the_lease_acknowledges_nothing_more(client, world, school_quiz):
    """Node A runs a game; another node takes its lease (A was starved of CPU, or its channel dropped
    and a relay released it). A's next write is refused by the fence: the answer is not acknowledged,
    every socket of the game is told to reconnect, and the game comes back from Redis with every
    answer A did acknowledge; the resent answer is then taken, and each is stored once."""
    if connection.vendor != "postgresql":
        pytest.skip("the node shares the test database: PostgreSQL")
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, scoring="accuracy")
    cookie = session_cookie(client, world.teacher)
    port = _port()
    node = _node(port)
    r = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    lease = f"quiz:lease:{game.pk}"
    sockets = []
    try:
        host = _connect(port, cookie)
        sockets.append(host)
        _send(host, {"type": "host", "game": game.pk})
        _until(host, "state")
        (anna, a, _), (boris, b, _) = _join(port, game.pin, "Анна"), _join(port, game.pin, "Борис")
        sockets += [anna, boris]
        _send(host, {"type": "next"})
        for ws in (anna, boris):
            _until(ws, "question")
        _send(anna, {"type": "answer", "answer_id": "a-0", "question": 0, "value": [0]})
        assert _until(anna, "answer_ack")["status"] == "accepted"

        r.set(lease, "another-node", px=60_000)  # taken over elsewhere
        _send(boris, {"type": "answer", "answer_id": "b-0", "question": 0, "value": [0]})
        assert _until(boris, "error")["code"] == "moved"  # not acknowledged
        assert _until(host, "error")["code"] == "moved"
        assert _until(anna, "error")["code"] == "moved"
        _send(boris, {"type": "answer", "answer_id": "b-0", "question": 0, "value": [0]})
        assert _until(boris, "error")["code"] == "moved"  # the socket takes nothing until it reconnects

        r.delete(lease)  # that node stopped: the game comes back here from Redis
        for ws in (host, anna, boris):
            ws.close()
        host = _connect(port, cookie)
        _send(host, {"type": "host", "game": game.pk})
        state = _until(host, "state")
        assert (state["phase"], state["index"], state["answered"]) == ("question", 0, 1)
        boris, _, st = _join(port, game.pin, token=b["token"])
        anna, _, _ = _join(port, game.pin, token=a["token"])
        sockets += [host, anna, boris]
        assert st["answered"] is False
        _send(boris, {"type": "answer", "answer_id": "b-0", "question": 0, "value": [0]})
        assert _until(boris, "answer_ack")["status"] == "accepted"
        _until(host, "reveal")
        _send(host, {"type": "end"})
        _until(host, "finished")
    finally:
        for ws in sockets:
            ws.close()
        node.terminate()
        node.wait(10)
        r.delete(lease)

    game.refresh_from_db()
    assert game.status == Game.Status.FINISHED
    assert sorted(Answer.objects.filter(game=game).values_list("answer_id", flat=True)) == ["a-0", "b-0"]
    for player in Player.objects.filter(game=game):
        assert player.score == 1000
