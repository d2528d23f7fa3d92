"""Benchmark: public pages through the real ASGI server on loopback, on PostgreSQL (issue #6).

Data: the demo directory (3,000 organisations) plus 10,000 public events and 20,000 published
best practices. Pages: landing, the event listing, a practice page (all cached for visitors), and
search (each query distinct, so never served from the cache). Prints p95 and req/s per page beside
the target; baselines measured in the same run: the same pages with the cache bypassed, and the
search done with the plain LIKE fallback instead of the Russian full-text index.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/public_pages.py
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._bench_common import percentile, prepare, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
EVENTS, PRACTICES = 10_000, 20_000
THREADS = 4


def fill() -> list[str]:
    """Bulk-create the events and practices; returns words to search for."""
    from django.utils import timezone

    from qualityweek.activities.models import Activity, ActivityType
    from qualityweek.campaigns.selectors import current_campaign
    from qualityweek.directory.models import Organisation
    from qualityweek.showcase.demo import STORIES
    from qualityweek.showcase.models import BestPractice
    from qualityweek.showcase.services import search_text

    rng = random.Random(6)
    campaign = current_campaign()
    orgs = list(Organisation.objects.filter(status="active", authority="").select_related("region"))
    types = {t.code: t for t in ActivityType.objects.all()}
    business = [o for o in orgs if o.sector == "business"]

    def activity(org, code, status, public):
        day = campaign.week_start + dt.timedelta(days=rng.randint(0, 6))
        return Activity(campaign=campaign, organisation=org, region_id=org.region_id, sector=org.sector,
                        type=types[code], title=f"{types[code].name}: {org.municipality}", starts_on=day, ends_on=day,
                        is_public=public, status=status, venue=org.municipality, customers=rng.randint(5, 300),
                        description="Описание", consent_on_file=True)

    events = [activity(rng.choice(business), rng.choice(["open_day", "factory_tour", "fair", "special_offer"]),
                       "planned", True) for _ in range(EVENTS)]
    Activity.objects.bulk_create(events, batch_size=5000)
    approved = [activity(rng.choice(orgs), "other", "approved", False) for _ in range(PRACTICES)]
    Activity.objects.bulk_create(approved, batch_size=5000)
    practices = []
    for i, a in enumerate(approved):
        title, story, results = STORIES[i % len(STORIES)]
        p = BestPractice(activity=a, title=f"{title} — {a.organisation.municipality} №{i}", story=story,
                         results=results, status="published", published_at=timezone.now())
        p.search_text = search_text(p)
        practices.append(p)
    BestPractice.objects.bulk_create(practices, batch_size=5000)
    from django.db import connection

    from qualityweek.showcase.search import reindex

    reindex(BestPractice.objects.all())
    with connection.cursor() as cursor:  # planner statistics, as autovacuum keeps them in production
        cursor.execute("ANALYZE")
    cities = sorted({o.municipality for o in orgs})
    return [f"{word} {city}" for city in cities for word in ("урок", "экскурсия", "конкурс")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drive(port: int, paths: list[str], threads: int = THREADS) -> tuple[list[float], float]:
    """GET every path once, spread over keep-alive connections; latencies and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(paths)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            started = time.perf_counter()
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            with lock:
                latencies.append(time.perf_counter() - started)
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return latencies, time.perf_counter() - started


def measure(label: str, port: int, paths: list[str], target_ms: float | None) -> None:
    """p95 of one request at a time (server time plus loopback), then req/s with THREADS clients."""
    half = len(paths) // 2
    latencies, _ = drive(port, paths[:half], threads=1)
    _, wall = drive(port, paths[half:])
    p95 = percentile(latencies, 0.95) * 1000
    met = "MET" if target_ms is not None and p95 <= target_ms else "MISSED"
    verdict = "" if target_ms is None else f" (target p95 <= {target_ms:.0f} ms: {met})"
    print(f"{label:<50} p95 {p95:7.1f} ms  {(len(paths) - half) / wall:6.0f} req/s{verdict}")


def main() -> None:
    with throwaway_database("qw_public") as env:
        import django

        django.setup()
        prepare(3000)
        searches = fill()
        from django.db import connections

        from qualityweek.showcase import selectors
        from qualityweek.showcase.models import BestPractice

        practice_ids = list(BestPractice.objects.values_list("pk", flat=True)[:200])
        terms = random.Random(1).sample(searches, 300)
        # In-process search comparison: full-text index against the LIKE fallback, same queries.
        fts, like = [], []
        for term in terms[:100]:
            flt = selectors.PracticeFilter(q=term)
            t = time.perf_counter()
            list(selectors.search_practices(flt)[:20])
            fts.append(time.perf_counter() - t)
            t = time.perf_counter()
            qs = selectors.published_practices()
            for word in term.casefold().split():
                qs = qs.filter(search_text__contains=word)
            list(qs.order_by("-published_at")[:20])
            like.append(time.perf_counter() - t)
        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--log-level", "warning"], cwd=ROOT, env=env)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"{EVENTS} public events, {PRACTICES} published practices, one uvicorn process on loopback; "
                  f"p95 one request at a time, req/s with {THREADS} client threads")
            pages = {"landing /": ["/"], "event listing /afisha/": ["/afisha/"],
                     "practice page /practices/<id>/": [f"/practices/{i}/" for i in practice_ids]}
            for label, paths in pages.items():
                drive(port, paths)  # warm the cache
                measure(f"{label} (cached)", port, paths * (800 // len(paths)), 30)
                cycled = (paths * (300 // len(paths) + 1))[:300]
                measure(f"  baseline: {label} uncached", port,
                        [f"{p}?nocache={n}" for n, p in enumerate(cycled)], None)
            half = len(terms) // 2
            # Distinct queries each time, so search is never answered from the cache.
            latencies, _ = drive(port, [f"/practices/?{urlencode({'q': t})}" for t in terms[:half]], threads=1)
            _, wall = drive(port, [f"/practices/?{urlencode({'q': t})}" for t in terms[half:]])
            p95 = percentile(latencies, 0.95) * 1000
            print(f"{'search /practices/?q=… (never cached)':<50} p95 {p95:7.1f} ms  {(len(terms) - half) / wall:6.0f}"
                  f" req/s (target p95 <= 150 ms: {'MET' if p95 <= 150 else 'MISSED'})")
            print(f"  in-process search, same queries: full-text p95 {percentile(fts, .95) * 1000:.1f} ms, "
                  f"LIKE fallback baseline p95 {percentile(like, .95) * 1000:.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
    main()
