"""Benchmark: the full-scale demo load (`load_demo --full`) on PostgreSQL, as `make run` would do it.

Target (issues #2 and #17): `load_demo --full` <= 60 s. It writes 100,000 organisations and, for two
campaigns, about 190,000 activities with their history events, then rebuilds the aggregates once.
Baseline in the same run, on the same kinds of rows: organisations, activities and history events
written one `Model.save()` at a time (a sample of each), extrapolated to the row counts the full
load wrote.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/demo_load.py

A throw-away database `qw_bench_<pid>` is created on that server and dropped afterwards.
"""

from __future__ import annotations

import json
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
        measured = json.loads(baseline.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["dropdb", *admin, "--if-exists", name], check=True)
    counts, per_row = measured["counts"], measured["per_row"]
    rows = sum(counts.values())
    verdict = "MET" if full < TARGET_SECONDS else "MISSED"
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load_demo --full on PostgreSQL (measured path: the command as make run runs it): {full:.1f} s for "
          f"{rows:,} rows ({', '.join(f'{k} {v:,}' for k, v in counts.items())}); {rows / full:,.0f} rows/s; "
          f"target <= {TARGET_SECONDS:.0f} s -> {verdict}; load average {' '.join(load)}")
    extrapolated = sum(per_row[k] * counts[k] for k in counts)
    print(f"baseline, one save() per row (samples of {SAMPLE} of each kind): "
          + ", ".join(f"{k} {1 / per_row[k]:,.0f} rows/s" for k in per_row)
          + f"; extrapolated {extrapolated:.1f} s for the same rows; "
          f"the demo load is {extrapolated / full:.1f}x faster")

BASELINE = f"""
import json, os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
django.setup()
from django.db import transaction
from qualityweek.activities.models import Activity, ActivityEvent
from qualityweek.directory.demo import DemoDirectory
from qualityweek.directory.models import Organisation, Region

counts = {{"organisations": Organisation.objects.count(), "activities": Activity.objects.count(),
          "events": ActivityEvent.objects.count()}}
regions = list(Region.objects.order_by("code"))
gen = DemoDirectory(seed=99, organisations={SAMPLE})
gen.used_inns = set(Organisation.objects.exclude(inn="").values_list("inn", flat=True))
orgs = list(gen.organisations(regions))
for o in orgs:
    o.name = "Baseline " + o.name
activities = list(Activity.objects.order_by("pk")[:{SAMPLE}])
events = list(ActivityEvent.objects.order_by("pk")[:{SAMPLE}])

def timed(objects, reset):
    for o in objects:
        reset(o)
    started = time.perf_counter()
    with transaction.atomic():
        for o in objects:
            o.save()
    return (time.perf_counter() - started) / len(objects)

per_row = {{
    "organisations": timed(orgs, lambda o: None),
    "activities": timed(activities, lambda a: (setattr(a, "pk", None), setattr(a, "import_key", ""),
                                               setattr(a, "client_token", None))),
    "events": timed(events, lambda e: setattr(e, "pk", None)),
}}
print(json.dumps({{"counts": counts, "per_row": per_row}}))
"""

if __name__ == "__main__":
    main()
