"""Benchmark: the review queue with 100,000 submitted activities on PostgreSQL.

Target (issue #3): server time p95 <= 100 ms per page, with a bounded number of queries per page.
Measured through Django's test Client against the real views (middleware, scoping, template):
the coordinator's queue `activity_review` (/activities/review/) and, for the operator (national
roles have no review queue of their own: `activity_review` answers them 403), the same list of
submitted reports `activity_list?status=submitted` over all 100,000. Baseline in the same run: a
naive unpaginated fetch of the same rows, `list(Activity.objects.filter(status="submitted"))`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/review_queue.py

A throw-away database `qw_review_<pid>` is created on that server (migrated, base demo data loaded:
3,000 organisations, demo users, campaigns) and dropped afterwards.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._bench_common import percentile, prepare, throwaway_database  # noqa: E402

ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
TARGET_MS = 100.0


def main() -> None:
    with throwaway_database("qw_review"):
        run()


def run() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from qualityweek.activities.models import Activity, ActivityType
    from qualityweek.campaigns.selectors import current_campaign
    from qualityweek.directory.models import Organisation, Role, RoleAssignment

    prepare()
    campaign = current_campaign()
    assert campaign is not None
    orgs = list(Organisation.objects.filter(status="active", sector__in=["education", "business"], authority="")
                .values_list("id", "region_id", "sector"))
    types = {s: [t.pk for t in ActivityType.objects.all() if t.allows(s) and t.categories]
             for s in ("education", "business")}
    rng = random.Random(3)
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Activity] = []
    for i in range(ACTIVITIES):
        org_id, region_id, sector = orgs[i % len(orgs)]
        batch.append(Activity(
            campaign=campaign, organisation_id=org_id, region_id=region_id, sector=sector,
            type_id=rng.choice(types[sector]), title=f"Урок качества № {i}", starts_on=campaign.quality_day,
            ends_on=campaign.quality_day, status=Activity.Status.SUBMITTED, description="Провели урок.",
            links=["https://example.ru/news"], pupils_5_9=rng.randint(5, 120),
            submitted_at=now - timezone.timedelta(minutes=rng.randint(0, 60 * 24 * 20)),
            is_late=rng.random() < 0.05, source=Activity.Source.DEMO))
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    Activity.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # statistics and visibility map, as autovacuum keeps them
    print(f"created {ACTIVITIES:,} submitted activities across {len(orgs):,} demo organisations "
          f"in {time.perf_counter() - started:.1f} s")

    coordinator = RoleAssignment.objects.select_related("user", "region").get(
        role=Role.COORDINATOR, user__email="moscow.edu@demo.qualityweek.ru")
    operator = RoleAssignment.objects.select_related("user").filter(role=Role.OPERATOR_ADMIN).first()
    assert operator is not None
    in_queue = Activity.objects.filter(campaign=campaign, status="submitted", region=coordinator.region,
                                       sector=coordinator.sector).count()
    total = Activity.objects.filter(campaign=campaign, status="submitted").count()

    def measure(user, path: str, pages: list[int]) -> tuple[list[float], dict[int, int]]:
        client = Client()
        client.force_login(user)
        queries: dict[int, int] = {}
        slowest: list[tuple[float, str]] = []
        for page in pages:  # warm up and count queries per page
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, {"page": page})
            assert response.status_code == 200, (path, response.status_code)
            queries[page] = len(captured)
            slowest += [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        for ms, sql in sorted(slowest, reverse=True)[:2]:
            print(f"  slowest query {ms:.0f} ms: {sql[:80]} … {sql[-160:]}")
        times = []
        for i in range(REQUESTS):
            t = time.perf_counter()
            response = client.get(path, {"page": pages[i % len(pages)]})
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        return times, queries

    def naive(qs) -> float:
        t = time.perf_counter()
        rows = list(qs)
        assert rows
        return (time.perf_counter() - t) * 1000

    results = [
        (f"coordinator {coordinator.region.short_name}/{coordinator.sector} ({in_queue:,} in queue)",
         "/activities/review/", coordinator.user, [1, 2, max(1, in_queue // 50 // 2)],
         Activity.objects.filter(campaign=campaign, status="submitted", region=coordinator.region,
                                 sector=coordinator.sector)),
        (f"operator, all submitted ({total:,})", "/activities/?status=submitted", operator.user,
         [1, 2, 100, total // 50 // 2],
         Activity.objects.filter(campaign=campaign, status="submitted")),
    ]
    for label, path, user, pages, naive_qs in results:
        times, queries = measure(user, path, pages)
        baseline = statistics.median(naive(naive_qs.all()) for _ in range(3))
        verdict = "MET" if percentile(times, 0.95) <= TARGET_MS else "MISSED"
        bounded = "bounded" if len(set(queries.values())) == 1 else "VARIES"
        print(f"{label}: {path} p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms "
              f"over {REQUESTS} requests (pages {pages}); target p95 <= {TARGET_MS:.0f} ms -> {verdict}")
        print(f"  queries per page: {queries} ({bounded}); baseline naive unpaginated fetch of the same "
              f"{naive_qs.count():,} rows: {baseline:.1f} ms ({baseline / statistics.median(times):.1f}x the page)")


if __name__ == "__main__":
    main()
