"""Benchmark: the cluster's path — direct to one node against nginx in front of two — in one run.

Needs a running cluster (`make cluster`; CLUSTER_URL, default http://127.0.0.1:8800, nodes on the
next two ports). Four phases, each run twice in alternation so that drift on a noisy machine hits
both paths alike: the cached public home page and the activity report submission (the real
`services.submit`: row lock, checks, history, audit), direct to node 1 and through the proxy.
Then the proxy is loaded with the home page for BENCH_OUTAGE_SECONDS while node 1 is stopped (SIGTERM)
and started again: no request may fail beyond the in-flight ones.

    .venv/bin/python bench/cluster_load.py

BENCH_REQUESTS (per phase, default 400), BENCH_CONCURRENCY (4). Targets: proxy p95 ≤ 1.10 × direct
p95; no failed request while a node restarts. The submissions are made on activities this script
plans first, for the demo school representative, in the cluster's own database.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_URL = os.environ.get("CLUSTER_URL", "http://127.0.0.1:8800").rstrip("/")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
OUTAGE_SECONDS = float(os.environ.get("BENCH_OUTAGE_SECONDS", "12"))
CLUSTER_DIR = Path(os.environ.get("CLUSTER_DIR", ROOT / "var" / "cluster"))
EMAIL, PASSWORD = "school@demo.qualityweek.ru", "quality2026"


def node(n: int) -> str:
    parts = urllib.parse.urlsplit(CLUSTER_URL)
    return f"{parts.scheme}://{parts.hostname}:{parts.port + n}"


class Browser:
    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, url: str, data: bytes | None = None) -> int:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else {}
        req = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - the cluster's http URL
        try:
            with self.opener.open(req, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def post(self, url: str, fields: dict[str, str]) -> int:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        return self.request(url, urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode())


def cluster_env() -> dict[str, str]:
    out = subprocess.run(["bash", "scripts/cluster.sh", "env"], cwd=ROOT, capture_output=True, text=True, check=True)
    env = dict(os.environ)
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env


def plan_activities(count: int) -> list[int]:
    """Planned activities with their report filled in, ready to submit, for the demo school."""
    code = f"""
import json
from django.utils import timezone
from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.directory.models import User
u = User.objects.get(email={EMAIL!r}); c = current_campaign()
org = u.roles.filter(organisation__isnull=False).first().organisation
start, _ = c.dates_for(org.region)
made = Activity.objects.bulk_create([Activity(
    campaign=c, organisation=org, region=org.region, sector=org.sector,
    type=ActivityType.objects.get(code="quality_lesson"), title=f"Урок качества (кластер) {{i}}",
    starts_on=start, ends_on=start, status=Activity.Status.PLANNED, description="Провели урок качества.",
    links=["https://example.ru/news/1"], pupils_5_9=40, source=Activity.Source.WEB, created_at=timezone.now())
    for i in range({count})])
print(json.dumps([a.pk for a in made]))
"""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=cluster_env(),
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(name: str, jobs: list, call) -> dict:
    """Run ``call(job)`` for every job with CONCURRENCY threads; latencies of the 2xx/3xx answers."""
    latencies: list[float] = []
    failed = 0
    lock = threading.Lock()
    queue = list(jobs)

    def worker() -> None:
        nonlocal failed
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            start = time.perf_counter()
            status = call(job)
            elapsed = time.perf_counter() - start
            with lock:
                if 200 <= status < 400:
                    latencies.append(elapsed)
                else:
                    failed += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"name": name, "ok": len(latencies), "failed": failed, "wall": wall, "lat": latencies}


def merge(a: dict, b: dict) -> dict:
    return {"name": a["name"], "ok": a["ok"] + b["ok"], "failed": a["failed"] + b["failed"],
            "wall": a["wall"] + b["wall"], "lat": a["lat"] + b["lat"]}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] * 1000 if len(values) > 1 else float("nan")


def line(result: dict) -> str:
    return (f"  {result['name']:<42} {result['ok'] / result['wall']:7.1f} req/s   p95 {p95(result['lat']):7.1f} ms"
            f"   failed {result['failed']}")


def main() -> None:
    direct, proxy = node(1), CLUSTER_URL
    browsers = {}
    for base in (direct, proxy):
        b = Browser()
        b.request(f"{base}/accounts/login/")
        assert b.post(f"{base}/accounts/login/", {"username": EMAIL, "password": PASSWORD}) == 302, "login failed"
        browsers[base] = b
    activities = plan_activities(2 * REQUESTS)
    halves = {direct: activities[:REQUESTS], proxy: activities[REQUESTS:]}
    for base in (direct, proxy):  # warm the cache and the connections
        for _ in range(20):
            browsers[base].request(f"{base}/")

    results: dict[str, list[dict]] = {}
    for round_ in range(2):
        for base, label in ((direct, "direct to node 1"), (proxy, "through nginx, 2 nodes")):
            home = run(f"home page, {label}", range(REQUESTS // 2),
                       lambda _, base=base: browsers[base].request(f"{base}/"))
            chunk = halves[base][round_ * REQUESTS // 2:(round_ + 1) * REQUESTS // 2]
            submit = run(f"report submission, {label}", chunk,
                         lambda pk, base=base: browsers[base].post(f"{base}/activities/{pk}/submit/", {}))
            results.setdefault(home["name"], []).append(home)
            results.setdefault(submit["name"], []).append(submit)
    merged = {name: merge(*runs) for name, runs in results.items()}
    print(f"Cluster path, {CONCURRENCY} concurrent clients, {REQUESTS} requests per phase ({CLUSTER_URL})")
    for result in merged.values():
        print(line(result))
    for what in ("home page", "report submission"):
        d, p = merged[f"{what}, direct to node 1"], merged[f"{what}, through nginx, 2 nodes"]
        ratio = p95(p["lat"]) / p95(d["lat"])
        verdict = "met" if ratio <= 1.10 else "missed"
        print(f"  {what}: proxy p95 / direct p95 = {ratio:.2f} (target ≤ 1.10: {verdict})")

    # A node stops and starts again under load through the proxy.
    stop = threading.Event()
    outcome = {"ok": 0, "failed": 0}

    def visitor() -> None:
        b = Browser()
        while not stop.is_set():
            outcome["ok" if b.request(f"{proxy}/") == 200 else "failed"] += 1

    threads = [threading.Thread(target=visitor) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    time.sleep(OUTAGE_SECONDS / 4)
    os.kill(int((CLUSTER_DIR / "run" / "node1.pid").read_text()), signal.SIGTERM)
    time.sleep(OUTAGE_SECONDS / 4)
    subprocess.run(["bash", "scripts/cluster.sh", "node", "1"], cwd=ROOT, check=True, timeout=120)
    time.sleep(OUTAGE_SECONDS / 4)
    stop.set()
    for t in threads:
        t.join()
    verdict = "met" if outcome["failed"] <= CONCURRENCY else "missed"
    print(f"  node 1 stopped and started again under load: {outcome['ok']} served, {outcome['failed']} failed "
          f"(target: none beyond the {CONCURRENCY} in flight: {verdict})")


if __name__ == "__main__":
    main()
