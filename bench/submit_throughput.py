"""Benchmark: report submission throughput through the real ASGI server on PostgreSQL.

uvicorn serves `qualityweek.asgi:application` on loopback (settings `bench._asgi_bench_settings`:
the project's settings plus a URLconf that adds a bare `bench-insert/` view for the baseline). A
load generator (threads, keep-alive `http.client`) logs in as the representatives of many
organisations (real session cookies, CSRF cookie + header taken from a real page) and POSTs
`/activities/<pk>/submit/` for distinct planned and reported activities: each request runs the real
`services.submit` (row lock, checks, status change, history event, audit entry). Baseline in the same
run, same server, same users and concurrency: a POST to the bare view that inserts one row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/submit_throughput.py

Environment: BENCH_SUBMITS (default 3000), BENCH_CONCURRENCY (16), BENCH_WORKERS (uvicorn
workers, 2 = the machine's cores), BENCH_MAX_SECONDS (120 per phase). A throw-away database
`qw_submit_<pid>` is created and dropped afterwards.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._bench_common import percentile, prepare, throwaway_database  # noqa: E402

SUBMITS = int(os.environ.get("BENCH_SUBMITS", "3000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "120"))
REPS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    with throwaway_database("qw_submit") as env:
        import django

        django.setup()
        prepare(organisations=1000)
        users, activities = make_data()
        port = free_port()
        # The project's default DB_CONN_MAX_AGE=0: under ASGI a persistent connection belongs to the
        # executor thread that opened it, and with max-age > 0 they pile up past max_connections.
        env = env | {"DJANGO_SETTINGS_MODULE": "bench._asgi_bench_settings"}
        server_log = Path(env["VAR_DIR"]) / "uvicorn.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=server_log.open("wb"), stderr=subprocess.STDOUT)
        try:
            wait_for(port)
            sessions = log_in(port, users)
            run_phase(port, sessions, "warm-up", [("/bench-insert/", rep) for rep in list(sessions)[:50]])
            # Alternate the two phases twice so that drift on a noisy machine hits both alike.
            baseline_jobs = [("/bench-insert/", rep) for rep in (list(sessions) * (SUBMITS // len(sessions) + 1))]
            submit_jobs = [(f"/activities/{pk}/submit/", rep) for pk, rep in activities]
            half = len(submit_jobs) // 2
            b1 = run_phase(port, sessions, "baseline", baseline_jobs[:half])
            s1 = run_phase(port, sessions, "submit", submit_jobs[:half])
            b2 = run_phase(port, sessions, "baseline", baseline_jobs[half:2 * half])
            s2 = run_phase(port, sessions, "submit", submit_jobs[half:])
        finally:
            server.terminate()
            server.wait(timeout=30)
        errors = server_log.read_text(errors="replace").count("Internal Server Error")
        if errors:
            print(f"  server logged {errors} internal errors, see {server_log}")
        report("bare single-insert view (baseline)", merge(b1, b2))
        result = merge(s1, s2)
        report("activity report submission", result)
        from qualityweek.activities.models import Activity

        submitted = Activity.objects.filter(pk__in=[pk for pk, _ in activities], status="submitted").count()
        print(f"  check: {submitted:,} of {len(activities):,} activities are now submitted "
              f"({result['ok']:,} requests answered 302)")
        base = merge(b1, b2)
        print(f"  submission is {base['rps'] / result['rps']:.1f}x slower than the bare insert "
              f"(uvicorn --workers {WORKERS}, {CONCURRENCY} concurrent clients on loopback)")


def make_data() -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Planned activities with their report filled in, spread over REPS organisations, each with
    its own representative. Returns {email: password} and [(activity id, email)]."""
    from django.db import transaction
    from django.utils import timezone

    from qualityweek.activities.models import Activity, ActivityType
    from qualityweek.campaigns.selectors import current_campaign
    from qualityweek.directory.models import Organisation, Role, RoleAssignment, User

    campaign = current_campaign()
    assert campaign is not None
    lesson = ActivityType.objects.get(code="quality_lesson")
    orgs = list(Organisation.objects.filter(status="active", sector="education", authority="")
                .select_related("region")[:REPS])
    rng = random.Random(5)
    users: dict[str, str] = {}
    owner: dict[int, str] = {}
    with transaction.atomic():
        for i, org in enumerate(orgs):
            email = f"bench-rep-{i}@example.ru"
            user = User.objects.create_user(email=email, password="Bench-2026!", last_name="Бенч", first_name="Реп")
            RoleAssignment.objects.create(user=user, role=Role.ORG_REP, organisation=org)
            users[email] = "Bench-2026!"
            owner[org.pk] = email
        batch = []
        for i in range(SUBMITS):
            org = orgs[i % len(orgs)]
            start, _ = campaign.dates_for(org.region)
            batch.append(Activity(
                campaign=campaign, organisation=org, region=org.region, sector=org.sector, type=lesson,
                title=f"Урок качества для бенчмарка № {i}", starts_on=start, ends_on=start,
                status=Activity.Status.PLANNED, description="Провели урок качества.",
                links=["https://example.ru/news/1"], pupils_5_9=rng.randint(20, 90), source=Activity.Source.WEB,
                created_at=timezone.now()))
        created = Activity.objects.bulk_create(batch, batch_size=2000)
    return users, [(a.pk, owner[a.organisation_id]) for a in created]


def wait_for(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("uvicorn did not start")


_COOKIE = re.compile(r"(sessionid|csrftoken)=([^;]+)")


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        m = _COOKIE.match(header)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def log_in(port: int, users: dict[str, str]) -> dict[str, dict[str, str]]:
    """Log each representative in through the real login form; keep its session and CSRF cookies."""
    sessions: dict[str, dict[str, str]] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for email, password in users.items():
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        body = response.read().decode()
        cookies = _cookies(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert token, "no CSRF token on the login page"
        assert "csrftoken" in cookies, "no CSRF token on the login page"
        form = f"csrfmiddlewaretoken={token.group(1)}&username={email}&password={password}"
        conn.request("POST", "/accounts/login/", body=form.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
        response = conn.getresponse()
        response.read()
        cookies |= _cookies(response)
        assert response.status == 302, (email, response.status)
        assert "sessionid" in cookies, (email, response.status)
        sessions[email] = cookies
    conn.close()
    return sessions


def run_phase(port: int, sessions: dict[str, dict[str, str]], label: str,
              jobs: list[tuple[str, str]]) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(reversed(jobs))
    stop_at = time.perf_counter() + MAX_SECONDS

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        codes: dict[int, int] = {}
        while time.perf_counter() < stop_at:
            with lock:
                if not queue:
                    break
                path, email = queue.pop()
            c = sessions[email]
            headers = {"Cookie": f"sessionid={c['sessionid']}; csrftoken={c['csrftoken']}",
                       "X-CSRFToken": c["csrftoken"], "Content-Type": "application/x-www-form-urlencoded",
                       "Referer": f"http://127.0.0.1:{port}/", "Content-Length": "0"}
            t = time.perf_counter()
            conn.request("POST", path, body=b"", headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t)
            codes[response.status] = codes.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    ok = sum(v for k, v in statuses.items() if k in (204, 302))
    return {"label": label, "latencies": latencies, "wall": wall, "statuses": statuses, "ok": ok,
            "rps": len(latencies) / wall if wall else 0.0}


def merge(a: dict, b: dict) -> dict:
    latencies = a["latencies"] + b["latencies"]
    wall = a["wall"] + b["wall"]
    statuses = {k: a["statuses"].get(k, 0) + b["statuses"].get(k, 0) for k in {*a["statuses"], *b["statuses"]}}
    return {"latencies": latencies, "wall": wall, "statuses": statuses, "ok": a["ok"] + b["ok"],
            "rps": len(latencies) / wall if wall else 0.0}


def report(label: str, r: dict) -> None:
    lat = r["latencies"]
    print(f"{label}: {len(lat):,} requests in {r['wall']:.1f} s -> {r['rps']:.0f} req/s, "
          f"p50 {statistics.median(lat) * 1000:.1f} ms, p99 {percentile(lat, 0.99) * 1000:.1f} ms; "
          f"status codes {dict(sorted(r['statuses'].items()))}")


if __name__ == "__main__":
    main()
