"""A live game through the real ASGI router served by uvicorn: host and players on the one quiz
socket, server-side scoring, rejoin with the game token, kicks, late and duplicate answers, bad
frames, PIN guessing and a foreign origin."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from qualityweek.core.audit import Actor
from qualityweek.quizzes import runtime, services
from qualityweek.quizzes.models import Answer, Game, Player
from tests.conftest import session_cookie

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _connect(server, cookie=None, origin=None):
    headers = {"Origin": origin or f"http://{server}"}
    if cookie:
        headers["Cookie"] = cookie
    return connect(f"ws://{server}/ws/quiz/", additional_headers=headers, legacy=True)


def _send(ws, frame):
    ws.send(frame if isinstance(frame, str) else json.dumps(frame))


def _until(ws, kind, timeout=5):
    """Read frames until one of the given type (the ones before it are returned too)."""
    seen = []
    while True:
        msg = json.loads(ws.recv(timeout=timeout))
        seen.append(msg)
        if msg["type"] == kind:
            return msg, seen


def _join(server, pin, nickname="", token=None):
    ws = _connect(server)
    frame = {"type": "join", "pin": pin, "nickname": nickname}
    if token:
        frame["token"] = token
    _send(ws, frame)
    joined, _ = _until(ws, "joined")
    state, _ = _until(ws, "state")
    return ws, joined, state


def _host_and_two_players(server, client, world, game):
    host = _connect(server, session_cookie(client, world.teacher))
    _send(host, {"type": "host", "game": game.pk})
    _until(host, "state")
    anna, _, _ = _join(server, game.pin, "Весёлый Енот")
    boris, _, _ = _join(server, game.pin, "Зоркая Сова")
    return host, anna, boris


def test_a_game_from_lobby_to_podium(asgi_server, client, world, school_quiz):
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, scoring="speed")
    with _connect(asgi_server, session_cookie(client, world.teacher)) as host:
        _send(host, {"type": "host", "game": game.pk})
        state, _ = _until(host, "state")
        assert state["phase"] == "lobby"
        assert state["pin"] == game.pin
        anna, a, _ = _join(asgi_server, game.pin, "Весёлый Енот")
        boris, b, _ = _join(asgi_server, game.pin, "")
        assert b["nickname"]
        assert b["nickname"] != a["nickname"]
        vera, v, _ = _join(asgi_server, game.pin, "Зоркая Сова")
        lobby, _ = _until(host, "lobby")
        assert lobby["count"] >= 1

        # Players never reach host commands.
        _send(anna, {"type": "next"})
        assert _until(anna, "error")[0]["code"] == "forbidden"

        _send(host, {"type": "next"})
        q, _ = _until(anna, "question")
        assert q["index"] == 0
        assert "correct" not in json.dumps(q)
        for ws in (boris, vera):
            _until(ws, "question")
        _send(anna, {"type": "answer", "answer_id": "a-0", "question": 0, "value": [0]})
        assert _until(anna, "answer_ack")[0]["status"] == "accepted"
        _send(anna, {"type": "answer", "answer_id": "a-0", "question": 0, "value": [0]})  # a retry
        assert _until(anna, "answer_ack")[0]["status"] == "duplicate"
        _send(anna, {"type": "answer", "answer_id": "a-0b", "question": 0, "value": [1]})
        assert _until(anna, "error")[0]["code"] == "duplicate"

        # The host kicks Vera: she is told, and her token no longer lets her in.
        _send(host, {"type": "kick", "player": v["player"]})
        assert _until(vera, "kicked")[0]["message"].startswith("Ведущий удалил")
        vera.close()
        again = _connect(asgi_server)
        _send(again, {"type": "join", "pin": game.pin, "token": v["token"]})
        assert _until(again, "error")[0]["code"] == "kicked"
        again.close()

        # Boris answers wrong: everyone has answered, so the server closes the question by itself.
        _send(boris, {"type": "answer", "answer_id": "b-0", "question": 0, "value": [1]})
        reveal, _ = _until(host, "reveal")
        assert reveal["solution"] == {"correct": [0]}
        assert reveal["distribution"] == [1, 1, 0]
        result, _ = _until(anna, "result")
        assert result["correct"] is True
        assert result["place"] == 1
        assert result["points"] > 500
        first_score = result["score"]
        _send(boris, {"type": "answer", "answer_id": "b-late", "question": 0, "value": [0]})
        late, _ = _until(boris, "error")
        assert late["code"] == "late"
        assert "не принят" in late["message"]

        # Anna reloads: the same player returns with her points and streak.
        anna.close()
        anna, rejoined, state = _join(asgi_server, game.pin, token=a["token"])
        assert rejoined["player"] == a["player"]
        assert state["score"] == first_score
        assert state["streak"] == 1

        _send(host, {"type": "next"})
        _until(anna, "question")
        _until(boris, "question")
        _send(anna, {"type": "answer", "answer_id": "a-1", "question": 1, "value": "  РОСКАЧЕСТВО "})
        _until(anna, "answer_ack")
        _send(host, {"type": "reveal"})
        _until(host, "reveal")
        second, _ = _until(anna, "result")
        assert second["points"] > 500 + 100 - 1
        assert second["streak"] == 2
        assert _until(boris, "result")[0]["answered"] is False

        _send(host, {"type": "next"})
        _until(anna, "question")
        _send(boris, {"type": "answer", "answer_id": "b-2", "question": 2, "value": 1995})
        _until(boris, "answer_ack")
        _send(host, {"type": "end"})
        podium, _ = _until(host, "finished")
        assert next(p["nickname"] for p in podium["podium"]) == "Весёлый Енот"
        assert _until(anna, "finished")[0]["place"] == 1
        anna.close()
        boris.close()

    game.refresh_from_db()
    assert game.status == Game.Status.FINISHED
    assert game.player_count == 2
    answers = list(Answer.objects.filter(game=game))
    assert sorted(a.answer_id for a in answers) == ["a-0", "a-1", "b-0", "b-2"]  # each accepted answer once
    for player in Player.objects.filter(game=game):
        assert player.score == sum(a.points for a in answers if a.player_id == player.pk)
    assert Player.objects.get(game=game, nickname="Зоркая Сова").kicked


def test_bad_frames_wrong_pins_and_foreign_origin(asgi_server, world, school_quiz, client):
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz)
    runtime.STORE.failures.clear()
    with _connect(asgi_server) as ws:
        for frame, code in [("x" * 5000, "bad_frame"), ("{not json", "bad_frame"), ("[1, 2]", "bad_frame"),
                            ({"type": "launch"}, "bad_frame"), ({"type": "answer"}, "state"),
                            ({"type": "host", "game": game.pk}, "forbidden"),  # a visitor is no host
                            ({"type": "join", "pin": "12"}, "bad_pin"),
                            ({"type": "join", "pin": game.pin, "nickname": "сука"}, "nickname")]:
            _send(ws, frame)
            assert _until(ws, "error")[0]["code"] == code, frame
        ws.send(b"\x00\x01")
        assert _until(ws, "error")[0]["code"] == "bad_frame"
        _send(ws, {"type": "ping"})
        assert _until(ws, "pong")[0] == {"type": "pong"}  # still open after all that
        wrong = "000000" if game.pin != "000000" else "000001"
        codes = []
        for _ in range(12):
            _send(ws, {"type": "join", "pin": wrong})
            codes.append(_until(ws, "error")[0]["code"])
        assert codes.count("bad_pin") <= 9
        assert codes[-1] == "rate_limited"
        _send(ws, {"type": "join", "pin": game.pin})  # even the right PIN waits out the minute
        assert _until(ws, "error")[0]["code"] == "rate_limited"
    runtime.STORE.failures.clear()
    # A teacher of another organisation cannot host the game.
    with _connect(asgi_server, session_cookie(client, world.company_rep)) as other:
        _send(other, {"type": "host", "game": game.pk})
        assert _until(other, "error")[0]["code"] == "forbidden"
    with pytest.raises(InvalidStatus) as refused:
        _connect(asgi_server, origin="https://evil.example.com")
    assert refused.value.response.status_code == 403


def test_the_host_reconnects_without_ending_the_game(asgi_server, client, world, school_quiz):
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz)
    cookie = session_cookie(client, world.teacher)
    host = _connect(asgi_server, cookie)
    _send(host, {"type": "host", "game": game.pk})
    _until(host, "state")
    player, _, _ = _join(asgi_server, game.pin, "Ловкий Бобр")
    _send(host, {"type": "next"})
    _until(player, "question")
    host.close()
    with _connect(asgi_server, cookie) as back:
        _send(back, {"type": "host", "game": game.pk})
        state, _ = _until(back, "state")
        assert state["phase"] == "question"
        assert state["index"] == 0
        assert state["lobby"]["count"] == 1
        _send(back, {"type": "pause"})
        assert _until(player, "paused")[0]["type"] == "paused"
        _send(player, {"type": "answer", "answer_id": "p", "question": 0, "value": [0]})
        assert _until(player, "error")[0]["code"] == "paused"
        _send(back, {"type": "resume"})
        assert _until(player, "question")[0]["paused"] is False
        _send(back, {"type": "end"})
        _until(back, "finished")
    player.close()


def test_teams_are_picked_at_join_and_score_their_members_average(asgi_server, client, world, school_quiz):
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, teams=["Синие", " Зелёные "])
    assert game.teams == ["Синие", "Зелёные"]
    with _connect(asgi_server, session_cookie(client, world.teacher)) as host:
        _send(host, {"type": "host", "game": game.pk})
        assert _until(host, "state")[0]["teams"] == [
            {"team": "Синие", "score": 0, "members": 0, "place": 1},
            {"team": "Зелёные", "score": 0, "members": 0, "place": 2}]
        # Without a team (or with one the game has not) the player is asked to choose, and is not in.
        for team in ("", "Красные", 5):
            ws = _connect(asgi_server)
            _send(ws, {"type": "join", "pin": game.pin, "nickname": "Смелая Лиса", "team": team})
            error, _ = _until(ws, "error")
            assert error["code"] == ("nickname" if team == 5 else "team")
            if team != 5:
                assert error["teams"] == ["Синие", "Зелёные"]
            ws.close()
        anna, a, state = _join_team(asgi_server, game.pin, "Весёлый Енот", "Синие")
        assert a["team"] == "Синие"
        assert state["team"] == "Синие"
        boris, _, _ = _join_team(asgi_server, game.pin, "Мудрый Филин", "Синие")
        vera, _, _ = _join_team(asgi_server, game.pin, "Зоркая Сова", "Зелёные")
        lobby, _ = _until(host, "lobby")
        while lobby["count"] < 3:
            lobby, _ = _until(host, "lobby")
        assert {p["nickname"]: p["team"] for p in lobby["players"]} == {
            "Весёлый Енот": "Синие", "Мудрый Филин": "Синие", "Зоркая Сова": "Зелёные"}

        _send(host, {"type": "next"})
        for ws in (anna, boris, vera):
            _until(ws, "question")
        for ws, pick, n in ((anna, 0, "a"), (boris, 1, "b"), (vera, 0, "v")):
            _send(ws, {"type": "answer", "answer_id": f"{n}-0", "question": 0, "value": [pick]})
        reveal, _ = _until(host, "reveal")
        # Accuracy scoring: Anna and Vera 1000, Boris 0 — the blue team's average is 500.
        assert reveal["teams"] == [{"team": "Зелёные", "score": 1000.0, "members": 1, "place": 1},
                                   {"team": "Синие", "score": 500.0, "members": 2, "place": 2}]
        _send(host, {"type": "end"})
        finished, _ = _until(host, "finished")
        assert [t["team"] for t in finished["teams"]] == ["Зелёные", "Синие"]
        assert _until(vera, "finished")[0]["teams"][0]["team"] == "Зелёные"
        for ws in (anna, boris, vera):
            ws.close()
    game.refresh_from_db()
    assert dict(Player.objects.filter(game=game).values_list("nickname", "team")) == {
        "Весёлый Енот": "Синие", "Мудрый Филин": "Синие", "Зоркая Сова": "Зелёные"}
    client.force_login(world.teacher)
    page = client.get(f"/quizzes/games/{game.pk}/results/").content.decode()
    assert "Средний балл" in page
    assert "Зелёные" in page


def _join_team(server, pin, nickname, team):
    ws = _connect(server)
    _send(ws, {"type": "join", "pin": pin, "nickname": nickname, "team": team})
    joined, _ = _until(ws, "joined")
    state, _ = _until(ws, "state")
    return ws, joined, state


def test_the_last_two_answers_at_once_are_both_acknowledged(asgi_server, client, world, school_quiz, monkeypatch):
    """An answer is journalled before its acknowledgement (the Redis store awaits that write). Two
    answers in flight at once: the second completes the round and closes the question while the first
    still waits; the first is acknowledged all the same, not told «Сейчас нет открытого вопроса»."""
    journal = runtime.STORE.journal

    async def slow_journal(live, entry):
        await asyncio.sleep(0.3)  # a Redis round trip under load
        await journal(live, entry)

    monkeypatch.setattr(runtime.STORE, "journal", slow_journal)
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, scoring="accuracy")
    host, anna, boris = _host_and_two_players(asgi_server, client, world, game)
    with host:
        _send(host, {"type": "next"})
        for ws in (anna, boris):
            _until(ws, "question")
        _send(anna, {"type": "answer", "answer_id": "a-0", "question": 0, "value": [0]})
        _send(boris, {"type": "answer", "answer_id": "b-0", "question": 0, "value": [1]})
        for ws in (anna, boris):
            ack, seen = _until(ws, "answer_ack")
            assert ack["status"] == "accepted"
            assert not [m for m in seen if m["type"] == "error"], seen
        _until(host, "reveal")
        for ws in (anna, boris):
            ws.close()


def test_answers_survive_failed_database_writes(asgi_server, client, world, school_quiz, monkeypatch):
    """The database refuses the writes of a question's close and of the game's end (locked, or away
    for a moment): the answers stay pending and are tried again until they land — every acknowledged
    answer is stored once, the scores add up, and the game ends up finished."""
    from django.db import OperationalError

    record = runtime._record_round
    calls = {"n": 0}

    async def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] in (2, 4, 5, 6):  # question 0's close, question 1's close, the end and its first retry
            raise OperationalError("database is locked")
        await record(**kwargs)

    monkeypatch.setattr(runtime, "_record_round", flaky)
    monkeypatch.setattr(runtime, "STORE_RETRY_FIRST", 0.05)
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, scoring="accuracy")
    host, anna, boris = _host_and_two_players(asgi_server, client, world, game)
    with host:
        for index, values in enumerate(([0], "Роскачество")):
            _send(host, {"type": "next"})
            for name, ws, value in (("a", anna, values), ("b", boris, values if index else [1])):
                _until(ws, "question")
                _send(ws, {"type": "answer", "answer_id": f"{name}-{index}", "question": index, "value": value})
                assert _until(ws, "answer_ack")[0]["status"] == "accepted"
            _until(host, "reveal")
        _send(host, {"type": "end"})
        _until(host, "finished")
        for ws in (anna, boris):
            ws.close()

    deadline = time.monotonic() + 10
    while Game.objects.get(pk=game.pk).status != Game.Status.FINISHED and time.monotonic() < deadline:
        time.sleep(0.05)
    game.refresh_from_db()
    assert game.status == Game.Status.FINISHED
    assert calls["n"] >= 7  # the failed writes were tried again
    answers = list(Answer.objects.filter(game=game))
    assert sorted(a.answer_id for a in answers) == ["a-0", "a-1", "b-0", "b-1"]
    for player in Player.objects.filter(game=game):
        assert player.score == sum(a.points for a in answers if a.player_id == player.pk)
    scores = dict(Player.objects.filter(game=game).values_list("nickname", "score"))
    assert scores["Весёлый Енот"] > scores["Зоркая Сова"] > 0


def test_the_host_sees_who_is_on_line(asgi_server, client, world, school_quiz):
    """A player whose connection drops is shown as not on line in the host's list (one throttled
    lobby frame, not a frame per disconnect), and on line again after rejoining with the token."""
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz)
    with _connect(asgi_server, session_cookie(client, world.teacher)) as host:
        _send(host, {"type": "host", "game": game.pk})
        _until(host, "state")
        anna, a, _ = _join(asgi_server, game.pin, "Весёлый Енот")
        assert _until(host, "lobby")[0]["players"][0]["online"] is True
        anna.close()
        assert _until(host, "lobby")[0]["players"][0]["online"] is False
        anna, _, _ = _join(asgi_server, game.pin, token=a["token"])
        assert _until(host, "lobby")[0]["players"][0]["online"] is True
        anna.close()
