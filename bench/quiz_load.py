"""Live quiz load: N players join by PIN, the host runs 10 questions, every player answers.

`.venv/bin/python bench/quiz_load.py [--players 1000] [--games 1] [--questions 10] [--time-limit 120]`

The server is the project's ASGI application under one uvicorn process (`--ws websockets-sansio`,
the embedded default: in-process game state, in-memory channel layer, SQLite in a temporary
VAR_DIR). The load generator is a **separate process** (asyncio `websockets` clients on loopback,
bounded by --players and --time-limit). It prints:

Each player answers every question after a random «reading» pause of 0.5–3 s (as people do), so
the fan-out is measured on its own rather than under the answer storm that follows it; the host
shows each answer for 2 s before pressing «next».

- join storm: players joined / attempted and the wall time for all of them;
- fan-out latency: from the host's «next» frame to the **last** player's receipt of the question
  (p50 / p95 / max over every question of every game), and the same over all receipts;
- answers sent, acknowledged, and recorded in the database after the game;
- server CPU seconds and RSS (peak) from /proc;
- the baseline, measured in the same run: a bare `websockets` server that broadcasts one frame to
  the same N sockets (`websockets.broadcast`), timed the same way.

Targets (issue 11): 5,000 players in one game; 10,000 across 300 games; fan-out p95 ≤ 300 ms;
join storm of 5,000 in 60 s with 0 failures; 0 lost answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
JOIN_CONCURRENCY = 400
REVEAL_SECONDS = 2.0
ROUND_SECONDS = 60.0  # the most one round of every game may take before the run moves on


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, peak RSS in MB) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) // 1024
    return cpu, peak


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the server did not start")


# --- the load generator (a separate process) ------------------------------------------------------------

async def _recv_until(ws: Any, kind: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic())))
        if msg["type"] == kind:
            return msg


async def generate(config: dict[str, Any]) -> dict[str, Any]:  # noqa: C901 - one scenario, told in order
    from websockets.asyncio.client import connect

    urls, origin = config["urls"], config["origin"]  # several nodes: players and hosts spread over them
    games = config["games"]  # [{"id", "pin"}]
    per_game, questions, limit = config["per_game"], config["questions"], config["time_limit"]
    rng = random.Random(7)
    think = config.get("think", (0.5, 3.0))
    receipts: dict[tuple[int, int], list[float]] = {}
    sent = acked = failed = 0
    refused: dict[str, int] = {}  # error frames by code: a late answer is refused and told so, not lost
    joined = 0
    gate = asyncio.Semaphore(JOIN_CONCURRENCY)
    everyone_in = asyncio.Event()
    total = per_game * len(games)
    # Players listen until the run's cap (they leave on «finished»), not just the join's time limit:
    # a player who stopped listening mid-run left every later question open until its own timer.
    stop = time.monotonic() + config.get("cap", limit)
    sockets: list[Any] = []

    answering: set[asyncio.Task[None]] = set()

    async def answer(ws: Any, g: int, n: int, index: int) -> None:
        """A player reads the question for a moment (like a person) before answering."""
        nonlocal sent
        await asyncio.sleep(rng.uniform(*think))
        await ws.send(json.dumps({"type": "answer", "answer_id": f"{g}-{n}-{index}", "question": index,
                                  "value": [rng.randrange(4)]}))
        sent += 1

    async def player(g: int, pin: str, n: int) -> None:
        nonlocal acked, failed, joined
        try:
            async with gate:
                ws = await connect(urls[n % len(urls)], origin=origin, compression=None, open_timeout=60,
                                   max_queue=None, ping_interval=None)
                sockets.append(ws)
                await ws.send(json.dumps({"type": "join", "pin": pin, "nickname": f"Игрок {n}"}))
                await _recv_until(ws, "joined", 60)
            joined += 1
            if joined == total:
                everyone_in.set()
        except Exception:
            failed += 1
            if joined + failed == total:
                everyone_in.set()
            return
        try:
            while time.monotonic() < stop:
                msg = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, stop - time.monotonic())))
                if msg["type"] == "question":
                    receipts.setdefault((g, msg["index"]), []).append(time.monotonic())
                    answering.add(asyncio.create_task(answer(ws, g, n, msg["index"])))
                elif msg["type"] == "answer_ack" and msg["status"] == "accepted":
                    acked += 1
                elif msg["type"] == "error":
                    refused[msg.get("code", "?")] = refused.get(msg.get("code", "?"), 0) + 1
                elif msg["type"] == "finished":
                    return
        except (TimeoutError, Exception):
            return

    sent_at: dict[tuple[int, int], float] = {}

    host_failures = 0
    host_sockets: dict[int, Any] = {}

    async def host(g: int, game_id: int, rounds: asyncio.Queue, done: asyncio.Queue) -> None:
        nonlocal host_failures
        try:
            ws = await connect(urls[g % len(urls)], origin=origin, compression=None, max_queue=None, ping_interval=None,
                               open_timeout=60, additional_headers={"Cookie": config["cookie"]})
            host_sockets[g] = ws
            await ws.send(json.dumps({"type": "host", "game": game_id}))
            await _recv_until(ws, "state", 60)
        except Exception:
            host_failures += 1  # this game's rounds never start; the run goes on with the others
            raise
        for i in range(questions):
            await rounds.get()
            sent_at[(g, i)] = time.monotonic()
            await ws.send(json.dumps({"type": "next"}))
            try:
                await _recv_until(ws, "reveal", 60)  # the server closes a question when everyone has answered
            except TimeoutError:
                await ws.send(json.dumps({"type": "reveal"}))
                await _recv_until(ws, "reveal", 30)
            await asyncio.sleep(REVEAL_SECONDS)  # the class looks at the answer before «next»
            await done.put(i)
        await ws.send(json.dumps({"type": "end"}))
        await _recv_until(ws, "finished", 60)
        await ws.close()

    async def end_game(ws: Any) -> bool:
        try:
            await ws.send(json.dumps({"type": "end"}))
            await _recv_until(ws, "finished", 60)
            return True
        except Exception:
            return False

    started = time.monotonic()
    tasks = [asyncio.create_task(player(g, game["pin"], n)) for g, game in enumerate(games) for n in range(per_game)]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everyone_in.wait(), limit)
    join_seconds = time.monotonic() - started
    rounds = [asyncio.Queue() for _ in games]
    done = [asyncio.Queue() for _ in games]
    hosts = [asyncio.create_task(host(g, game["id"], rounds[g], done[g])) for g, game in enumerate(games)]
    await asyncio.sleep(1.0)  # hosts connected
    # A hard cap for the whole run: whatever was measured by then is returned and printed, so an
    # overloaded server gives partial figures (and says so) instead of none.
    cap = started + config.get("cap", limit)
    rounds_done = [0] * len(games)

    async def round_of(g: int, q: asyncio.Queue) -> None:
        await q.get()
        rounds_done[g] += 1

    for i in range(questions):
        for q in rounds:  # every game's host presses «next» at the same moment
            q.put_nowait(i)
        # Every game's round is awaited at once, with one deadline: a game whose host failed (or is
        # stuck) costs the round ROUND_SECONDS at most, never ROUND_SECONDS per game, one after another.
        waits = [asyncio.create_task(round_of(g, q)) for g, q in enumerate(done) if not hosts[g].done()]
        if waits:
            await asyncio.wait(waits, timeout=max(0.1, min(ROUND_SECONDS, cap - time.monotonic())))
        for w in waits:
            w.cancel()
        if time.monotonic() >= cap or not waits:
            break
        await asyncio.sleep(0.3)
    capped = time.monotonic() >= cap
    ended_at_cap = 0
    if capped:
        for t in [*hosts, *tasks, *answering]:
            t.cancel()
        await asyncio.gather(*hosts, return_exceptions=True)
        # A teacher whose lesson runs out ends the game: its open question closes and the answers
        # taken so far are stored. A game left open keeps them in its journal (Redis) until it closes,
        # and the database count below would miss them. The answers already sent land first.
        await asyncio.sleep(3)
        unfinished = [g for g, task in enumerate(hosts)
                      if g in host_sockets and (task.cancelled() or task.exception() is not None)]
        ended_at_cap = sum(await asyncio.gather(*(end_game(host_sockets[g]) for g in unfinished)))
    else:
        await asyncio.gather(*hosts, return_exceptions=True)
    await asyncio.wait(tasks, timeout=30)
    for ws in sockets:
        with contextlib.suppress(Exception):  # closing is best effort
            await ws.close()
    last = [max(r) - sent_at[key] for key, r in receipts.items() if key in sent_at]
    every = [t - sent_at[key] for key, r in receipts.items() if key in sent_at for t in r]
    complete = sum(1 for key, r in receipts.items() if len(r) == joined // max(1, len(games)))
    return {"joined": joined, "failed": failed, "attempted": total, "join_seconds": join_seconds,
            "last_ms": [x * 1000 for x in last], "every_ms": [x * 1000 for x in every], "sent": sent,
            "acked": acked, "refused": refused, "complete_rounds": complete, "rounds_done": sum(rounds_done),
            "host_failures": host_failures, "capped": capped, "ended_at_cap": ended_at_cap,
            "seconds": time.monotonic() - started}


# --- the baseline: a bare websockets broadcast server --------------------------------------------------------

async def baseline_server(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    clients: set[Any] = set()

    async def handler(ws: Any) -> None:
        clients.add(ws)
        try:
            async for text in ws:
                if text.startswith('{"type":"go"'):
                    broadcast([c for c in clients if c is not ws], text)
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None, ping_interval=None):
        await asyncio.Future()


async def baseline_generate(config: dict[str, Any]) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    url, n, rounds = config["url"], config["players"], config["questions"]
    gate = asyncio.Semaphore(JOIN_CONCURRENCY)
    receipts: dict[int, list[float]] = {}
    clients: list[Any] = []

    async def one() -> None:
        async with gate:
            clients.append(await connect(url, compression=None, max_queue=None, ping_interval=None,
                                         open_timeout=60))

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    join_seconds = time.monotonic() - started

    async def listen(ws: Any) -> None:
        try:
            async for text in ws:
                receipts.setdefault(json.loads(text)["round"], []).append(time.monotonic())
        except Exception:  # noqa: S110 - closed at the end
            pass

    listeners = [asyncio.create_task(listen(ws)) for ws in clients]
    sender = await connect(url, compression=None, ping_interval=None)
    sent_at: dict[int, float] = {}
    payload = "x" * 300  # about the size of a question frame
    for r in range(rounds):
        sent_at[r] = time.monotonic()
        await sender.send(json.dumps({"type": "go", "round": r, "payload": payload}, separators=(",", ":")))
        deadline = time.monotonic() + 30
        while len(receipts.get(r, [])) < len(clients) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.3)
    for ws in [*clients, sender]:
        await ws.close()
    for t in listeners:
        t.cancel()
    last = [(max(receipts[r]) - sent_at[r]) * 1000 for r in receipts]
    return {"joined": len(clients), "join_seconds": join_seconds, "last_ms": last}


# --- the orchestration -------------------------------------------------------------------------------------

def _django_env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"VAR_DIR": var_dir, "DEBUG": "0", "SECRET_KEY": "bench-not-a-secret-" + "x" * 40,
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "qualityweek.settings",
                "PYTHONPATH": str(ROOT)})
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


def prepare(games: int, questions: int) -> dict[str, Any]:
    """Migrate a throw-away SQLite database; a school, its teacher, a quiz and the games in the lobby."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from qualityweek.core.audit import Actor
    from qualityweek.directory.models import Organisation, Region, Role, RoleAssignment, User
    from qualityweek.quizzes import services

    call_command("migrate", verbosity=0)
    school = Organisation.objects.create(name="Школа для нагрузки", kind="school", sector="education",
                                         region=Region.objects.get(code="43"), status="active")
    teacher = User.objects.create_user(email="bench.teacher@example.ru", password="x-Bench-2026!")
    RoleAssignment.objects.create(user=teacher, role=Role.TEACHER, organisation=school)
    actor = Actor(user=teacher)
    quiz = services.create_quiz(actor=actor, organisation=school, title="Нагрузка", age_group="5_9")
    for i in range(questions):
        services.save_question(actor=actor, quiz=quiz, kind="single", text=f"Вопрос {i + 1}: что такое качество?",
                               options=["Соответствие ожиданиям", "Цена", "Упаковка", "Реклама"], correct=[0],
                               seconds=60)
    made = [services.start_game(actor=actor, quiz=quiz) for _ in range(games)]
    client = Client()
    client.force_login(teacher)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return {"games": [{"id": g.pk, "pin": g.pin} for g in made], "cookie": cookie}


def recorded_answers(game_ids: list[int]) -> int:
    from qualityweek.quizzes.models import Answer

    return Answer.objects.filter(game_id__in=game_ids).count()


def wait_stored(game_ids: list[int], limit: float = 120) -> tuple[float, int]:
    """Seconds until every game is finished in the database: a write the database refused (SQLite
    locked under load) is tried again by the server, and the game is marked finished only with its
    last write, so stopping the servers before would cut what they still hold."""
    from qualityweek.quizzes.models import Game

    started = time.monotonic()
    while (open_games := Game.objects.filter(pk__in=game_ids).exclude(status=Game.Status.FINISHED).count()) \
            and time.monotonic() - started < limit:
        time.sleep(0.5)
    return time.monotonic() - started, open_games


def run_child(mode: str, config: dict[str, Any], env: dict[str, str] | None = None, timeout: float = 600) -> dict:
    out = subprocess.run([sys.executable, __file__, f"--{mode}", json.dumps(config)], capture_output=True,
                         text=True, env=env, timeout=timeout, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(samples: list[float]) -> str:
    return f"p50 {percentile(samples, .5):.0f} ms / p95 {percentile(samples, .95):.0f} ms / " \
           f"max {max(samples, default=float('nan')):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--games", type=int, default=1)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=120)
    parser.add_argument("--nodes", type=int, default=1,
                        help="app processes; above 1 they share games through Redis (QUIZ_STORE=redis, "
                             "BENCH_REDIS_URL, default redis://127.0.0.1:6379/15, flushed first)")
    args = parser.parse_args()
    if args.players > 15_000:
        raise SystemExit("at most 15,000 players on this machine (file descriptors)")
    per_game = args.players // args.games
    var_dir = tempfile.mkdtemp(prefix="quiz_load_")
    env = _django_env(var_dir)
    os.environ.update(env)
    setup = prepare(args.games, args.questions)
    node_env = dict(env)
    if args.nodes > 1:
        import redis

        node_env.update(QUIZ_STORE="redis", REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
        redis.Redis.from_url(node_env["REDIS_URL"]).flushdb()
    ports = [free_port() for _ in range(args.nodes)]
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    servers = [subprocess.Popen([sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1",
                                 "--port", str(port), "--ws", "websockets-sansio", "--log-level", "warning",
                                 "--lifespan", "off", "--backlog", "8192"],
                                cwd=ROOT, env=node_env, stdout=subprocess.DEVNULL,
                                stderr=(Path(var_dir) / f"uvicorn-{port}.log").open("wb"))
               for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_port(port, server)
        cpu0 = sum(proc_usage(server.pid)[0] for server in servers)
        result = run_child("generate", {"urls": [f"ws://127.0.0.1:{port}/ws/quiz/" for port in ports],
                                        "origin": f"http://127.0.0.1:{ports[0]}",
                                        "games": setup["games"], "per_game": per_game, "questions": args.questions,
                                        "time_limit": args.time_limit, "cap": args.time_limit * 2,
                                        "cookie": setup["cookie"]},
                           timeout=args.time_limit * 3 + 120)
        usage = [proc_usage(server.pid) for server in servers]
        cpu1, rss = sum(u[0] for u in usage), sum(u[1] for u in usage)
        store_wait = wait_stored([g["id"] for g in setup["games"]])
    finally:
        for server in servers:
            stop_process(server)
    recorded = recorded_answers([g["id"] for g in setup["games"]])

    base_port = free_port()
    baseline = subprocess.Popen([sys.executable, __file__, "--baseline-server", str(base_port)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(base_port, baseline)
        bcpu0, _ = proc_usage(baseline.pid)
        base = run_child("baseline-generate", {"url": f"ws://127.0.0.1:{base_port}/", "players": per_game * args.games,
                                               "questions": args.questions}, timeout=args.time_limit * 2 + 60)
        bcpu1, brss = proc_usage(baseline.pid)
    finally:
        stop_process(baseline)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(f"(server logs: {var_dir}/uvicorn-*.log)")

    total = per_game * args.games
    print(f"Live quiz load: {total} players in {args.games} game(s) of {per_game}, {args.questions} questions; "
          + ("one uvicorn process (embedded default)" if args.nodes == 1 else
             f"{args.nodes} uvicorn processes sharing games through Redis (players spread over them)")
          + ", load generator in its own process, 2 CPUs shared")
    print(f"  join storm     : {result['joined']}/{result['attempted']} joined, {result['failed']} failed, "
          f"in {result['join_seconds']:.1f} s   (target: 5,000 in 60 s, 0 failures)")
    print(f"  fan-out «next» → last player : {fmt(result['last_ms'])}   (target p95 ≤ 300 ms)")
    print(f"  fan-out «next» → each player : {fmt(result['every_ms'])}")
    print(f"  rounds played  : {result['rounds_done']} of {args.questions * args.games} "
          f"({result['host_failures']} host(s) failed to connect) in {result['seconds']:.0f} s"
          + (f"   — STOPPED at the run's cap: the figures below are partial; {result['ended_at_cap']} unfinished "
             f"game(s) ended by their hosts" if result["capped"] else ""))
    print(f"  rounds every player received : {result['complete_rounds']} of {args.questions * args.games}")
    late = result["refused"].get("late", 0)  # an answer refused as late is told so: not lost
    codes = f" {result['refused']}" if result["refused"] else ""
    print(f"  answers        : sent {result['sent']}, acknowledged {result['acked']}, recorded {recorded}, "
          f"refused as late {late}, lost {result['sent'] - recorded - late}; error frames by code{codes or ' none'}\n"
          f"                   (target: 0 lost — sent, neither recorded nor refused as late; an acknowledgement in\n"
          f"                   flight when the generator's time limit ends counts as sent, not acknowledged)")
    retried = sum(log.read_text(errors="replace").count("not stored yet; trying again")
                  for log in Path(var_dir).glob("uvicorn-*.log"))
    print(f"  database       : {retried} write(s) refused and tried again; every game finished in the database "
          f"{store_wait[0]:.1f} s after the generator stopped"
          + (f" — {store_wait[1]} still unfinished after 120 s" if store_wait[1] else ""))
    print(f"  server{'s' if args.nodes > 1 else ' '}        : CPU {cpu1 - cpu0:.1f} s, peak RSS {rss} MB"
          + (" (summed over the nodes)" if args.nodes > 1 else ""))
    print(f"  baseline (bare websockets broadcast, same N): joined {base['joined']} in {base['join_seconds']:.1f} s; "
          f"«go» → last client {fmt(base['last_ms'])}; CPU {bcpu1 - bcpu0:.1f} s, peak RSS {brss} MB")
    print(f"  load average   : {' '.join(load_before)} → {' '.join(load_after)}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        print(json.dumps(asyncio.run(generate(json.loads(sys.argv[2])))))
    elif len(sys.argv) == 3 and sys.argv[1] == "--baseline-generate":
        print(json.dumps(asyncio.run(baseline_generate(json.loads(sys.argv[2])))))
    elif len(sys.argv) == 3 and sys.argv[1] == "--baseline-server":
        asyncio.run(baseline_server(int(sys.argv[2])))
    else:
        main()
