"""Benchmark: importing a 50,000-row activities XLSX (validated and written) on PostgreSQL.

Targets (issue #17): the full validate + write path <= 5 s wall, and <= 8x a plain python-calamine
read of the same file (the baseline, measured in the same run); the long-term goal of <= 5x is
printed beside it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_xlsx.py [--rows N]

A throw-away database `qw_bench_import_<pid>` is created on that server, filled with the demo
directory (organisations as the demo generates them) and campaigns, and dropped afterwards. The
file holds reports of many Kirov schools, colleges and kindergartens (by INN, some by name only), as
a regional coordinator collects them. Measured, in the order the product runs them: the upload
checks (real format, zip sizes), the validation job (parse, match headers, validate every row
with the form rules, look up organisations and types, find rows already present), and the import
job (bulk insert of the activities and their history events, audit entry).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 5.0
TARGET_RATIO = 8.0
LONG_TERM_RATIO = 5.0
DEMO_ORGANISATIONS = 20_000


def make_file(rows: int, seed: int = 7) -> tuple[bytes, int, int]:
    """A realistic regional file for the Kirov education coordinator; returns (xlsx, region id, user id)."""
    import xlsxwriter

    from qualityweek.activities.imports.headers import COLUMNS
    from qualityweek.activities.models import ActivityType
    from qualityweek.campaigns.selectors import current_campaign
    from qualityweek.directory.models import Organisation, Region, Role, RoleAssignment

    rng = random.Random(seed)
    kirov = Region.objects.get(code="43")
    campaign = current_campaign()
    assert campaign is not None, "the demo campaigns are missing"
    first, last = campaign.dates_for(kirov)
    last = min(last, kirov.today())
    orgs = list(Organisation.objects.filter(region=kirov, sector="education", status="active"))
    types = [t for t in ActivityType.objects.filter(is_active=True) if t.allows("education")]
    coordinator = RoleAssignment.objects.filter(role=Role.COORDINATOR, region=kirov, sector="education").first()
    assert coordinator is not None, "the demo directory is missing"
    assert orgs, "the demo directory is missing"
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet("Мероприятия")
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    keys = [c.key for c in COLUMNS]
    sheet.write_row(0, 0, [c.header for c in COLUMNS])
    days = (last - first).days
    for r in range(1, rows + 1):
        org = rng.choice(orgs)
        kind = rng.choice(types)
        start = first + dt.timedelta(days=rng.randint(0, days))
        cats = [c for c in kind.categories if c in {"pupils_1_4", "pupils_5_9", "pupils_10_11", "teachers",
                                                    "parents", "students"}] or kind.categories
        values = {
            "inn": org.inn if org.inn and rng.random() < 0.9 else "",
            "organisation": org.name,
            "type": kind.name if rng.random() < 0.8 else kind.name.upper(),
            "title": f"{kind.name} «Россия — страна со Знаком качества», занятие {r}",
            "format": rng.choice(["очно", "онлайн", "гибридно", ""]),
            "links": f"https://vk.com/wall-{rng.randint(1000, 99999)}_{r}",
            "description": "Провели мероприятие по материалам Роскачества.",
            "is_public": rng.choice(["да", "нет", ""]),
        }
        for c in rng.sample(cats, k=min(2, len(cats))):
            values[c] = rng.randint(1, 25)
        for col, key in enumerate(keys):
            if key == "starts_on":
                sheet.write_datetime(r, col, start, date)
            elif key == "ends_on":
                if rng.random() < 0.3:
                    sheet.write_string(r, col, f"{start:%d.%m.%Y}")
            elif key in values and values[key] != "":
                sheet.write(r, col, values[key])
    book.close()
    return out.getvalue(), kirov.pk, coordinator.user_id


def measure(rows: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from qualityweek.activities.imports import services as imports
    from qualityweek.activities.imports import workbook
    from qualityweek.activities.models import Activity, ImportBatch
    from qualityweek.campaigns import demo as campaigns_demo
    from qualityweek.campaigns.selectors import current_campaign
    from qualityweek.core.demo import DemoContext
    from qualityweek.directory import demo as directory_demo

    call_command("migrate", verbosity=0)
    ctx = DemoContext(seed=2026, organisations=DEMO_ORGANISATIONS, today=timezone.localdate(),
                      on_progress=lambda *a: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    data, region_id, user_id = make_file(rows)
    path = Path(os.environ["MEDIA_ROOT"]) / "private" / "imports" / "bench.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)

    from python_calamine import CalamineWorkbook

    def plain_read() -> int:
        return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())

    plain_read()  # warm the file cache for both contenders
    baseline, baseline_cpu = min(_timed(plain_read) for _ in range(3))

    started, started_cpu = time.perf_counter(), time.process_time()
    workbook.check_upload("bench.xlsx", data)
    checked = time.perf_counter()
    batch = ImportBatch.objects.create(campaign=current_campaign(), region_id=region_id, sector="education",
                                       uploaded_by_id=user_id, file="private/imports/bench.xlsx",
                                       file_name="bench.xlsx", sha256="0" * 64)
    batch = imports.validate_batch(batch_id=batch.pk)
    validated = time.perf_counter()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING)
    batch = imports.run_import(batch_id=batch.pk)
    full, full_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    written = Activity.objects.filter(source="import").count()
    assert batch.status == ImportBatch.Status.DONE, batch.errors[:3]
    errors = [e for e in batch.errors if e.get("row")]

    print(f"file: {rows:,} rows, {len(data) / 2**20:.1f} MB XLSX; {batch.rows_valid:,} valid, "
          f"{len(errors)} row errors, {written:,} activities written")
    print(f"  wall time: upload checks {checked - started:.2f} s, validation job {validated - checked:.2f} s, "
          f"import job {full - (validated - started):.2f} s; machine load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    verdict = "MET" if full <= TARGET_SECONDS else "MISSED"
    print(f"full validate + write on PostgreSQL: {full:.2f} s ({rows / full:,.0f} rows/s); "
          f"target <= {TARGET_SECONDS:.0f} s -> {verdict}")
    ratio = full / baseline
    verdict = "MET" if ratio <= TARGET_RATIO else "MISSED"
    print(f"baseline, plain python-calamine read of the same file: {baseline:.2f} s; "
          f"ratio {ratio:.1f}x; target <= {TARGET_RATIO:.0f}x -> {verdict}; "
          f"long-term goal <= {LONG_TERM_RATIO:.0f}x -> {'MET' if ratio <= LONG_TERM_RATIO else 'MISSED'}")
    print(f"CPU time of this process (less sensitive to a busy machine; PostgreSQL's own work excluded): "
          f"{full_cpu:.2f} s against {baseline_cpu:.2f} s for the plain read, ratio {full_cpu / baseline_cpu:.1f}x")
    # Re-upload: nothing is written twice.
    again = ImportBatch.objects.create(campaign=batch.campaign, region_id=region_id, sector="education",
                                       uploaded_by_id=user_id, file="private/imports/bench.xlsx",
                                       file_name="bench.xlsx", sha256="0" * 64)
    t = time.perf_counter()
    again = imports.validate_batch(batch_id=again.pk)
    print(f"re-upload of the same file: validated in {time.perf_counter() - t:.2f} s, "
          f"already present {again.already_present:,} of {again.rows_valid:,}")


def _timed(fn) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        measure(args.rows)
        return
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(server)
    name = f"qw_bench_import_{os.getpid()}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    subprocess.run(["createdb", *admin, name], check=True)
    media = Path(f"/tmp/{name}-media")
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "qualityweek.settings",
                        "MEDIA_ROOT": str(media)}
    try:
        subprocess.run([sys.executable, __file__, "--inner", "--rows", str(args.rows)], cwd=ROOT, env=env,
                       check=True)
    finally:
        subprocess.run(["dropdb", *admin, "--if-exists", name], check=True)
        subprocess.run(["rm", "-rf", str(media)], check=False)


if __name__ == "__main__":
    main()
