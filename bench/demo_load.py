"""Benchmark: the full-scale demo load (100,000 organisations) on PostgreSQL.

Target (issue #2): under 60 s. Baseline in the same run: the same organisations written one
`Model.save()` at a time, measured on a sample and extrapolated per row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/demo_load.py

A throw-away database `qw_bench_<pid>` is created on that server and dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
SAMPLE = 2000


def main() -> None:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(server)
    name = f"qw_bench_{os.getpid()}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    subprocess.run(["createdb", *admin, name], check=True)
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    try:
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run([python, "manage.py", "load_demo", "--full", "-v0"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        full = time.perf_counter() - started
        baseline = subprocess.run([python, "-c", BASELINE], cwd=ROOT, env=env, check=True, capture_output=True,
                                  text=True)
        per_row = float(baseline.stdout.strip())
    finally:
        subprocess.run(["dropdb", *admin, "--if-exists", name], check=True)
    rows = 100_000 + 2 * 89
    verdict = "MET" if full < TARGET_SECONDS else "MISSED"
    print(f"demo load --full on PostgreSQL: {full:.1f} s for {rows} organisations "
          f"({rows / full:,.0f} rows/s); target < {TARGET_SECONDS:.0f} s -> {verdict}")
    print(f"baseline, one save() per row (sample of {SAMPLE}): {1 / per_row:,.0f} rows/s, "
          f"extrapolated {per_row * rows:.1f} s for the same rows; bulk is {per_row * rows / full:.1f}x faster")


BASELINE = f"""
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
django.setup()
from django.db import transaction
from qualityweek.directory.demo import DemoDirectory
from qualityweek.directory.models import Organisation, Region
regions = list(Region.objects.order_by("code"))
gen = DemoDirectory(seed=99, organisations={SAMPLE})
gen.used_inns = set(Organisation.objects.exclude(inn="").values_list("inn", flat=True))
orgs = list(gen.organisations(regions))
for o in orgs:
    o.name = "Baseline " + o.name
started = time.perf_counter()
with transaction.atomic():
    for o in orgs:
        o.save()
print((time.perf_counter() - started) / len(orgs))
"""

if __name__ == "__main__":
    main()
