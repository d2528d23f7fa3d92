"""Benchmark: forum registration opens — ATTEMPTS people try for SEATS seats at once — and check-in.

uvicorn serves `qualityweek.asgi:application` (settings `bench._asgi_bench_settings`, which add the
bare `bench-insert/` baseline view) on a throw-away PostgreSQL database. Phases in the same run:

1. baseline: the bare single-insert view (a logged-in, CSRF-checked POST that writes one row);
2. registration: ATTEMPTS anonymous visitors POST the real registration form of one session with
   SEATS seats, CONCURRENCY at a time (each gets 302 to their personal page: confirmed or waitlisted).
   The ticket e-mail jobs are queued in the database (django-tasks-db), as in production;
3. check-in: a staff member scans every confirmed ticket once (`/forum/<pk>/checkin/scan/`), then
   every one again (each second scan must be refused), CHECKIN_CONCURRENCY scanners at a venue.

Then it checks: exactly SEATS confirmed and ATTEMPTS - SEATS waitlisted, the session's `taken` is
SEATS, every first scan accepted and every second refused, no server error in the log.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/forum_registration.py

Arrivals are open-loop: visitor i is due at i * BENCH_SPREAD / ATTEMPTS seconds (2,000 over a minute
is 33 a second) and their time counts from when they were due, so queueing behind the seat lock
shows in the percentiles. The baseline runs closed-loop at the same concurrency.

Environment: BENCH_ATTEMPTS (2000), BENCH_SEATS (500), BENCH_CONCURRENCY (64), BENCH_SPREAD (60 s),
BENCH_CHECKIN_CONCURRENCY (4), BENCH_WORKERS (uvicorn workers, 2).
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._bench_common import percentile, throwaway_database  # noqa: E402
from bench.submit_throughput import free_port, log_in, wait_for  # noqa: E402

ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "2000"))
SEATS = int(os.environ.get("BENCH_SEATS", "500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))
SPREAD = float(os.environ.get("BENCH_SPREAD", "60"))  # the minute over which the visitors arrive
CHECKIN_CONCURRENCY = int(os.environ.get("BENCH_CHECKIN_CONCURRENCY", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PASSWORD = "Bench-2026!"  # noqa: S105 - a throw-away database's user


def prepare() -> dict:
    """Migrate, collect static files, load the regions' directory and campaigns, and make the forum."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from qualityweek.campaigns import demo as campaigns_demo
    from qualityweek.core.audit import Actor
    from qualityweek.core.demo import DemoContext
    from qualityweek.directory import demo as directory_demo
    from qualityweek.directory.models import Role, RoleAssignment, User
    from qualityweek.forum import services
    from qualityweek.forum.models import Venue

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    ctx = DemoContext(seed=2026, organisations=300, today=timezone.localdate(), on_progress=lambda *a: None)
    with transaction.atomic():
        directory_demo.build(ctx)
        campaigns_demo.build(ctx)
    from qualityweek.campaigns.models import Campaign

    actor = Actor.system()
    campaign = Campaign.objects.get(year=ctx.today.year)
    start = ctx.today + dt.timedelta(days=20)
    forum = services.create_forum(actor=actor, campaign=campaign, title="Всемирный день качества — бенчмарк",
                                  starts_on=start, ends_on=start, is_published=True)
    hall = services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.HALL, name="Павильон «Регионы»",
                              address="Москва, ВДНХ, павильон 75", capacity=SEATS)
    day = services.add_day(actor=actor, forum=forum, date=start, title="Региональный день", is_regional=True)
    at = dt.datetime.combine(start, dt.time(10), tzinfo=dt.UTC)
    session = services.add_session(actor=actor, day=day, venue=hall, starts_at=at, ends_at=at + dt.timedelta(hours=3),
                                   title="Региональный день: павильон ВДНХ", format="hybrid", capacity=SEATS)
    staff = User.objects.create_user(email="bench-staff@example.ru", password=PASSWORD, last_name="Бенч",
                                     first_name="Контролёр")
    RoleAssignment.objects.create(user=staff, role=Role.FORUM_STAFF, event_id=forum.pk)
    return {"forum": forum, "session": session, "hall": hall, "users": {staff.email: PASSWORD}}


def anonymous_form(port: int, path: str) -> dict[str, str]:
    """The CSRF cookie and token a visitor gets with the registration form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    cookie = next(h for h in response.headers.get_all("Set-Cookie") or [] if h.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token, "no CSRF token on the registration page"
    return {"csrftoken": cookie.split(";")[0].split("=", 1)[1], "form_token": token.group(1)}


def post(conn: http.client.HTTPConnection, port: int, path: str, form: dict[str, str],
         cookies: dict[str, str]) -> tuple[int, bytes, float]:
    body = urlencode(form).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items() if k in {"sessionid", "csrftoken"})
    headers = {"Cookie": cookie, "X-CSRFToken": cookies["csrftoken"], "Referer": f"http://127.0.0.1:{port}/",
               "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))}
    t = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, time.perf_counter() - t


def run(port: int, label: str, jobs: list[Callable[[http.client.HTTPConnection], tuple[bool, float]]],
        concurrency: int, spread: float = 0.0) -> dict:
    """Run the jobs on ``concurrency`` connections. With ``spread`` seconds, job i is due at
    i * spread / len(jobs) (an open-loop arrival: people do not wait for each other), and its time is
    counted from when it was due, so a server falling behind shows in the percentiles."""
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(reversed(list(enumerate(jobs))))
    step = spread / len(jobs) if jobs else 0.0

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        bad: list[str] = []
        while True:
            with lock:
                if not queue:
                    break
                n, job = queue.pop()
            due = started + n * step
            if spread and time.perf_counter() < due:
                time.sleep(due - time.perf_counter())
            late = max(0.0, time.perf_counter() - due) if spread else 0.0
            try:
                ok, took = job(conn)
                mine.append(took + late)
                if not ok:
                    bad.append(label)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{label}: {exc.__class__.__name__}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()
        with lock:
            timings.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {"label": label, "timings": timings, "failures": failures, "wall": time.perf_counter() - started,
            "asked": len(jobs)}


def report(r: dict, target_p99_ms: float | None = None) -> None:
    t = r["timings"]
    p99 = percentile(t, 0.99) * 1000 if t else 0.0
    target = f" (target ≤ {target_p99_ms:.0f} ms)" if target_p99_ms else ""
    print(f"{r['label']}: {len(t):,} of {r['asked']:,} requests in {r['wall']:.1f} s -> {len(t) / r['wall']:.1f}/s, "
          f"{len(r['failures'])} errors; p50 {statistics.median(t) * 1000:.0f} ms, p99 {p99:.0f} ms{target}, "
          f"max {max(t) * 1000:.0f} ms")


def main() -> None:
    with throwaway_database("qw_forum") as env:
        import django

        django.setup()
        setup = prepare()
        forum, session = setup["forum"], setup["session"]
        port = free_port()
        env = env | {"DJANGO_SETTINGS_MODULE": "bench._asgi_bench_settings",
                     "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}  # ticket e-mails queue, as in production
        server_log = Path(env["VAR_DIR"]) / "uvicorn.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=server_log.open("wb"), stderr=subprocess.STDOUT)
        try:
            wait_for(port)
            staff = log_in(port, setup["users"])["bench-staff@example.ru"]
            visitor = anonymous_form(port, f"/forum/session/{session.pk}/register/")
            cookies = {"csrftoken": visitor["csrftoken"]}

            def insert(conn: http.client.HTTPConnection) -> tuple[bool, float]:
                status, _, took = post(conn, port, "/bench-insert/", {}, staff)
                return status == 204, took

            def register(n: int) -> Callable[[http.client.HTTPConnection], tuple[bool, float]]:
                form = {"csrfmiddlewaretoken": visitor["form_token"], "name": f"Участник Форума {n}",
                        "email": f"guest{n}@bench.example.ru", "venue": str(setup["hall"].pk), "consent": "on",
                        "waitlist_ok": "on"}

                def job(conn: http.client.HTTPConnection) -> tuple[bool, float]:
                    status, _, took = post(conn, port, f"/forum/session/{session.pk}/register/", form, cookies)
                    return status == 302, took

                return job

            run(port, "warm-up", [insert] * 100, CONCURRENCY)
            baseline = run(port, "bare single-insert view (baseline, closed loop)", [insert] * ATTEMPTS, CONCURRENCY)
            paced = run(port, f"bare single-insert view (baseline, {ATTEMPTS:,} over {SPREAD:.0f} s)",
                        [insert] * ATTEMPTS, CONCURRENCY, spread=SPREAD)
            sampler = LockSampler()
            sampler.start()
            registration = run(port, f"registration: {ATTEMPTS:,} visitors for {SEATS:,} seats over {SPREAD:.0f} s",
                               [register(n) for n in range(ATTEMPTS)], CONCURRENCY, spread=SPREAD)
            sampler.halt.set()
            sampler.join()
            codes = confirmed_codes(forum)

            def scan(code: str, expect_ok: bool) -> Callable[[http.client.HTTPConnection], tuple[bool, float]]:
                def job(conn: http.client.HTTPConnection) -> tuple[bool, float]:
                    status, body, took = post(conn, port, f"/forum/{forum.pk}/checkin/scan/",
                                              {"code": code, "source": "scan"}, staff)
                    ok = status == 200 and (b'"ok": true' in body) == expect_ok
                    return ok, took

                return job

            first = run(port, f"check-in: first scans at one venue ({CHECKIN_CONCURRENCY} scanners)",
                        [scan(c, True) for c in codes], CHECKIN_CONCURRENCY)
            second = run(port, "check-in: second scans (each must be refused)", [scan(c, False) for c in codes],
                         CHECKIN_CONCURRENCY)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log = server_log.read_text(errors="replace")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores; client on the same cores)")
        report(baseline)
        report(paced)
        report(registration, 300)
        sampler.report()
        window = "within" if registration["wall"] <= 60 else "OVER"
        ratio = percentile(registration["timings"], 0.99) / percentile(paced["timings"], 0.99)
        print(f"  the rush took {registration['wall']:.1f} s ({window} the one-minute window); "
              f"registration p99 = {ratio:.1f}× the paced baseline's")
        report(first, 200)
        report(second, 200)
        check(setup, log, codes)


class LockSampler(threading.Thread):
    """Samples pg_stat_activity every 20 ms during a phase: how many of the database's backends are
    running a statement, and how many of them wait on a lock (the session row's ``FOR UPDATE``) —
    contention on the quota row shows as lock waiters, CPU saturation as active backends without them."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.halt = threading.Event()
        self.samples: list[tuple[int, int]] = []

    def run(self) -> None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while not self.halt.wait(0.02):
                    cursor.execute("SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
                                   "count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                    self.samples.append(cursor.fetchone())
        finally:
            connection.close()

    def report(self) -> None:
        n = len(self.samples) or 1
        waiting = [w for w, _ in self.samples]
        active = [a for _, a in self.samples]
        print(f"  row-lock waits during the rush ({len(self.samples):,} samples, every 20 ms): a backend waited "
              f"on a lock in {sum(1 for w in waiting if w) / n:.1%} of samples, mean {sum(waiting) / n:.2f}, "
              f"max {max(waiting, default=0)} waiting; mean {sum(active) / n:.2f} backends running a statement")


def confirmed_codes(forum) -> list[str]:
    from qualityweek.forum.models import Ticket

    return list(Ticket.objects.filter(registration__forum=forum, registration__status="confirmed")
                .values_list("code", flat=True))


def check(setup: dict, log: str, codes: list[str]) -> None:
    from django.db.models import Count

    from qualityweek.forum.models import Registration, Session, Ticket

    session = Session.objects.get(pk=setup["session"].pk)
    by_status = dict(Registration.objects.filter(session=session).values_list("status").annotate(n=Count("pk")))
    checked = Ticket.objects.filter(registration__session=session, checked_in_at__isnull=False).count()
    print(f"  check: {by_status.get('confirmed', 0):,} confirmed (want {SEATS:,}), "
          f"{by_status.get('waitlisted', 0):,} waitlisted (want {ATTEMPTS - SEATS:,}), other {by_status}; "
          f"session.taken = {session.taken} (capacity {session.capacity}); "
          f"confirmed tickets {len(codes):,}, checked in {checked:,}")
    print(f"  server log: {log.count('Internal Server Error')} internal errors, "
          f"{log.lower().count('deadlock detected')} deadlocks, {log.count('Traceback')} tracebacks")


if __name__ == "__main__":
    main()
