"""Benchmark: the public home page with the campaign's counters and map.

Target (issue #4): server time p95 <= 30 ms when the figures are served from the cache. Baselines in
the same run: the same page with the cache emptied before every request (figures rendered from the
tallies each time), and, through the ASGI server, the trivial `/healthz` view.

    .venv/bin/python bench/public_home.py          # SQLite (the embedded default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/public_home.py

A throw-away database (a temporary SQLite file, or `qw_bench_home_<pid>` on PostgreSQL) is built
with `load_demo` (3,000 organisations, ~6,000 activities) and removed afterwards. Then uvicorn
serves it on a free loopback port and a bounded load loop (8 keep-alive connections for a fixed
number of seconds) prints req/s and p95 for `/` and `/healthz`.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 30.0
ITERATIONS = 300
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", 8))
CONNECTIONS = 8


def main() -> None:
    server = os.environ.get("DATABASE_URL", "")
    cleanup = None
    if server.startswith("postgres"):
        parts = urlsplit(server)
        name = f"qw_bench_home_{os.getpid()}"
        url = urlunsplit(parts._replace(path=f"/{name}"))
        admin = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
        subprocess.run(["createdb", *admin, name], check=True)

        def cleanup() -> None:
            subprocess.run(["dropdb", *admin, "--if-exists", "--force", name], check=True)
    else:
        tmp = tempfile.mkdtemp(prefix="qw_bench_home_")
        url = f"sqlite:///{tmp}/bench.sqlite3"

        def cleanup() -> None:
            subprocess.run(["rm", "-rf", tmp], check=True)
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "load_demo", "-v0"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, __file__, "--inner"], cwd=ROOT, env=env, check=True)
        asgi(env)
    finally:
        cleanup()


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[max(0, int(len(samples) * 0.95) - 1)]


def inner() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.DEBUG = False
    setup_test_environment()
    client = Client()
    assert b"public-figures-title" in client.get("/").content

    def run(clear: bool) -> float:
        samples = []
        for _ in range(ITERATIONS):
            if clear:
                cache.clear()
            t0 = time.perf_counter()
            response = client.get("/")
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        return p95(samples)

    run(False)
    cached = run(False)
    cold = run(True)
    verdict = "MET" if cached <= TARGET_P95_MS else "MISSED"
    print(f"public home page, figures from the cache: p95 {cached:.1f} ms (target <= {TARGET_P95_MS:.0f} ms) -> "
          f"{verdict}; baseline with the cache emptied before every request: p95 {cold:.1f} ms "
          f"({ITERATIONS} requests each, Django test client, {settings.DATABASES['default']['ENGINE'].split('.')[-1]})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load(port: int, path: str, seconds: float) -> tuple[float, float, int]:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append((time.perf_counter() - t0) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, p95(latencies) if latencies else 0.0, errors[0]


def asgi(env: dict[str, str]) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "qualityweek.asgi:application", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            cwd=ROOT, env=env | {"ALLOWED_HOSTS": "127.0.0.1"})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        _load(port, "/", 1.0)  # warm-up fills the cache
        home_rps, home_p95, home_err = _load(port, "/", LOAD_SECONDS)
        base_rps, base_p95, base_err = _load(port, "/healthz", LOAD_SECONDS)
        print(f"through uvicorn on loopback ({CONNECTIONS} connections, {LOAD_SECONDS:.0f} s each): home page "
              f"{home_rps:,.0f} req/s, p95 {home_p95:.1f} ms, {home_err} errors; baseline /healthz "
              f"{base_rps:,.0f} req/s, p95 {base_p95:.1f} ms, {base_err} errors; load average "
              f"{os.getloadavg()[0]:.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        main()
