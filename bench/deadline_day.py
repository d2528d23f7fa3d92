"""Benchmark: deadline day — representatives plan, report and submit new activities at once.

uvicorn serves `qualityweek.asgi:application` (settings `bench._asgi_bench_settings`, which add the
bare `bench-insert/` baseline view) on PostgreSQL with the connection pool. REPS organisation
representatives log in through the real login form; CONCURRENCY clients then run, each flow as a
person would:

1. POST `/activities/new/` (the plan form, with its client token) -> 302 to the new activity;
2. POST `/activities/<pk>/report/` with «Отправить на проверку» (save and submit in one step) -> 302.

Phases in the same run, same server and users: the bare single-insert view (baseline), the
report-only flow (step 2 on activities planned beforehand), and the full flow. Afterwards it checks
every submission landed once (0 duplicates by client token and title), the server logged no error
and no deadlock, and `recount_aggregates` exits 0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/deadline_day.py

Environment: BENCH_FLOWS (full flows, default 2000), BENCH_REPORTS (report-only flows, 1000),
BENCH_REPS (representatives, 400), BENCH_CONCURRENCY (32), BENCH_WORKERS (uvicorn workers, 2),
BENCH_MAX_SECONDS (300 per phase: the compressed window).
"""

from __future__ import annotations

import http.client
import io
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._bench_common import percentile, prepare, throwaway_database  # noqa: E402
from bench.submit_throughput import free_port, log_in, wait_for  # noqa: E402

FLOWS = int(os.environ.get("BENCH_FLOWS", "2000"))
REPORTS = int(os.environ.get("BENCH_REPORTS", "1000"))
REPS = int(os.environ.get("BENCH_REPS", "400"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "300"))
REPORT_FORM = {"pupils_5_9": "45", "teachers": "2", "description": "Провели урок качества в двух классах.",
               "links": "https://example.ru/news/1", "consent_on_file": "on", "submit": "1"}


def main() -> None:
    with throwaway_database("qw_deadline") as env:
        import django

        django.setup()
        prepare(organisations=max(1000, REPS * 2))
        setup = make_data()
        port = free_port()
        env = env | {"DJANGO_SETTINGS_MODULE": "bench._asgi_bench_settings"}
        server_log = Path(env["VAR_DIR"]) / "uvicorn.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=server_log.open("wb"), stderr=subprocess.STDOUT)
        try:
            wait_for(port)
            sessions = log_in(port, setup["users"])
            emails = list(sessions)
            run(port, sessions, "warm-up", [Flow("insert", emails[i % len(emails)]) for i in range(100)])
            baseline = run(port, sessions, "baseline", [Flow("insert", emails[i % len(emails)])
                                                        for i in range(FLOWS)])
            reports = run(port, sessions, "report", [Flow("report", email, activity=pk)
                                                     for pk, email in setup["planned"]])
            full = run(port, sessions, "full", [Flow("full", emails[i % len(emails)], n=i,
                                                     organisation=setup["org_of"][emails[i % len(emails)]],
                                                     activity_type=setup["kind"], day=setup["day"])
                                                for i in range(FLOWS)])
        finally:
            server.terminate()
            server.wait(timeout=30)
        log = server_log.read_text(errors="replace")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        report("bare single-insert view (baseline)", baseline, "insert")
        report("report-only flow: report + submit", reports, "report")
        report("full flow: plan + report + submit", full, "full")
        check(setup, full, reports, log)


class Flow:
    def __init__(self, kind: str, email: str, **fields) -> None:
        self.kind, self.email, self.fields = kind, email, fields
        self.token = str(uuid.uuid4())


def make_data() -> dict:
    """REPS representatives, each of an organisation of its own, and REPORTS activities planned
    beforehand for the report-only flow."""
    from django.db import transaction
    from django.utils import timezone

    from qualityweek.activities import tally
    from qualityweek.activities.models import Activity, ActivityType
    from qualityweek.campaigns.selectors import current_campaign
    from qualityweek.directory.models import Organisation, Role, RoleAssignment, User

    campaign = current_campaign()
    assert campaign is not None
    lesson = ActivityType.objects.get(code="quality_lesson")
    orgs = list(Organisation.objects.filter(status="active", sector="education", authority="")
                .select_related("region")[:REPS])
    assert len(orgs) == REPS, f"only {len(orgs)} organisations"
    users, org_of, planned = {}, {}, []
    with transaction.atomic():
        for i, org in enumerate(orgs):
            email = f"deadline-rep-{i}@example.ru"
            user = User.objects.create_user(email=email, password="Bench-2026!", last_name="Бенч", first_name="Реп")
            RoleAssignment.objects.create(user=user, role=Role.ORG_REP, organisation=org)
            users[email] = "Bench-2026!"
            org_of[email] = org
        batch = []
        for i in range(REPORTS):
            org = orgs[i % len(orgs)]
            start, _ = campaign.dates_for(org.region)
            batch.append(Activity(campaign=campaign, organisation=org, region=org.region, sector=org.sector,
                                  type=lesson, title=f"Запланированный урок № {i}", starts_on=start, ends_on=start,
                                  status=Activity.Status.PLANNED, source=Activity.Source.WEB,
                                  created_at=timezone.now()))
        created = Activity.objects.bulk_create(batch, batch_size=2000)
        tally.activities_created(created)  # as the import does after its bulk insert
    emails = list(users)
    planned = [(a.pk, emails[i % len(emails)]) for i, a in enumerate(created)]
    day = {email: campaign.dates_for(org.region)[0].isoformat() for email, org in org_of.items()}
    return {"users": users, "org_of": {e: o.pk for e, o in org_of.items()}, "planned": planned,
            "kind": lesson.pk, "day": day, "campaign": campaign}


def _headers(port: int, c: dict[str, str], body: bytes) -> dict[str, str]:
    return {"Cookie": f"sessionid={c['sessionid']}; csrftoken={c['csrftoken']}", "X-CSRFToken": c["csrftoken"],
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/",
            "Content-Length": str(len(body))}


def _post(conn: http.client.HTTPConnection, port: int, cookies: dict[str, str], path: str,
          form: dict[str, str]) -> tuple[int, str, float]:
    body = urlencode(form).encode()
    t = time.perf_counter()
    conn.request("POST", path, body=body, headers=_headers(port, cookies, body))
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("Location", ""), time.perf_counter() - t


def step(conn: http.client.HTTPConnection, port: int, cookies: dict[str, str], flow: Flow,
         timings: dict[str, list[float]]) -> bool:
    """One flow; True when every request answered as a person expects (a redirect)."""
    if flow.kind == "insert":
        status, _, took = _post(conn, port, cookies, "/bench-insert/", {})
        timings["insert"].append(took)
        return status == 204
    pk = flow.fields.get("activity")
    if flow.kind == "full":
        day = flow.fields["day"][flow.email]
        status, location, took = _post(conn, port, cookies, "/activities/new/", {
            "organisation": flow.fields["organisation"], "type": flow.fields["activity_type"],
            "title": f"Урок качества в день отчёта № {flow.fields['n']}", "starts_on": day, "ends_on": day,
            "format": "in_person", "client_token": flow.token})
        timings["plan"].append(took)
        if status != 302 or not location.rstrip("/").split("/")[-1].isdigit():
            return False
        pk = int(location.rstrip("/").split("/")[-1])
    status, location, took = _post(conn, port, cookies, f"/activities/{pk}/report/", REPORT_FORM)
    timings["submit"].append(took)
    return status == 302 and location.rstrip("/").endswith(str(pk))


def run(port: int, sessions: dict[str, dict[str, str]], label: str, flows: list[Flow]) -> dict:
    timings: dict[str, list[float]] = {"insert": [], "plan": [], "submit": []}
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(reversed(flows))
    stop_at = time.perf_counter() + MAX_SECONDS

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[str, list[float]] = {"insert": [], "plan": [], "submit": []}
        bad: list[str] = []
        done = 0
        while time.perf_counter() < stop_at:
            with lock:
                if not queue:
                    break
                flow = queue.pop()
            try:
                if not step(conn, port, sessions[flow.email], flow, mine):
                    bad.append(flow.kind)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{flow.kind}: {exc.__class__.__name__}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            done += 1
        conn.close()
        with lock:
            for k, v in mine.items():
                timings[k].extend(v)
            failures.extend(bad)
            counts.append(done)

    counts: list[int] = []
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    return {"label": label, "timings": timings, "failures": failures, "wall": wall, "flows": sum(counts),
            "asked": len(flows)}


def _ms(samples: list[float], q: float) -> str:
    return f"{percentile(samples, q) * 1000:.0f} ms" if samples else "—"


def report(label: str, r: dict, key: str) -> None:
    done = r["flows"] - len(r["failures"])
    print(f"{label}: {done:,} of {r['asked']:,} flows in {r['wall']:.1f} s -> {r['flows'] / r['wall']:.1f} flows/s, "
          f"{len(r['failures'])} errors")
    for name in ("insert", "plan", "submit"):
        samples = r["timings"][name]
        if samples:
            print(f"  {name}: {len(samples):,} requests, p50 {statistics.median(samples) * 1000:.0f} ms, "
                  f"p99 {_ms(samples, 0.99)}, max {_ms(samples, 1.0)}")


def check(setup: dict, full: dict, reports: dict, log: str) -> None:
    from django.core.management import call_command
    from django.db.models import Count

    from qualityweek.activities.models import Activity

    campaign = setup["campaign"]
    mine = Activity.objects.filter(campaign=campaign, title__startswith="Урок качества в день отчёта")
    duplicates = mine.values("organisation", "title").annotate(n=Count("id")).filter(n__gt=1).count()
    submitted = mine.filter(status="submitted").count()
    reported = Activity.objects.filter(pk__in=[pk for pk, _ in setup["planned"]], status="submitted").count()
    print(f"  check: full flow {submitted:,} submitted of {full['asked']:,} ({mine.count():,} created, "
          f"{duplicates} duplicates); report-only {reported:,} submitted of {reports['asked']:,}")
    print(f"  server log: {log.count('Internal Server Error')} internal errors, "
          f"{log.lower().count('deadlock detected')} deadlocks, {log.count('too many clients')} «too many clients»")
    out = io.StringIO()
    try:
        call_command("recount_aggregates", year=campaign.year, stdout=out, stderr=out)
        print("  recount_aggregates: exit 0 (the tallies agree with the activities)")
    except SystemExit as exc:
        lines = out.getvalue().splitlines()
        print(f"  recount_aggregates: exit {exc.code}; {len(lines)} lines, the first and last:",
              *lines[:5], "…", *lines[-2:], sep="\n    ")


if __name__ == "__main__":
    main()
