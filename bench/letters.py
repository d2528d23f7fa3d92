"""Benchmark: 10,000 personalised letters, PDF (Typst) and DOCX (docxtpl), through the real render job.

Main figure — the path users take. A throw-away PostgreSQL database gets the directory (one
organisation per copy), the campaigns, the operator's letterhead and register, and the letter of
seed 000 recreated for the 2026 campaign (№ 2174-РСК, two pages, QR code), registered, with one
delivery per organisation carrying its own addressee in the dative and its own salutation. WORKERS
real worker processes (``manage.py run_worker``, the database task backend, as ``scripts/run.sh``
starts them) wait on the queue; the job is started through ``outreach.tasks.start_render`` — what the
letter's page calls — which cuts the deliveries into chunks of ``services.CHUNK``. The clock runs from
that call until the job is «done» (every chunk rendered, written to media storage, the ZIP packed).
While it runs the benchmark polls each worker's peak resident memory (VmHWM in /proc/<pid>/status)
and CPU time. Printed per job: letters per second of wall clock (a letter = one addressee, in the
formats asked), files per second, peak RSS per worker, ZIP size and file count, beside the targets.

Second line — the old in-process figures (no database, no job, no ZIP): worker processes render
copies straight from unsaved model instances with the same production code, one format at a time,
timed per format; and the baselines in one process: WeasyPrint for the same letter and a naive docxtpl
render that re-reads its template for every copy.

Targets (issue #17): 10,000 letters in PDF and DOCX with peak RSS <= 300 MB per worker and >= 150
letters/s through the real job. (Issue #5, in process: >= 200 PDF/s and >= 200 DOCX/s per worker.)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/letters.py \
        [--letters 10000] [--workers 2] [--jobs both,pdf,docx] [--inprocess 2000]

``--jobs`` lists the jobs to run one after another on the same data: ``both`` (PDF and DOCX in one
job, as the letter's page offers by default), ``pdf``, ``docx``. ``--inprocess 0`` skips the second line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import queue
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_PDF = 200.0
TARGET_DOCX = 200.0
TARGET_JOB_RATE = 150.0  # letters per second through the real job
TARGET_RSS_MB = 300.0  # peak resident memory of a worker
JOB_FORMATS = {"both": ("pdf", "docx"), "pdf": ("pdf",), "docx": ("docx",)}


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
    import django

    django.setup()


def build_letter():
    """Letter № 2174-РСК of seed 000 for the 2026 campaign, as unsaved model instances."""
    from qualityweek.campaigns import calendar
    from qualityweek.campaigns.models import Campaign
    from qualityweek.outreach import morph, seed_texts
    from qualityweek.outreach.models import Letter, Sender

    year = 2026
    week_start, week_end = calendar.quality_week(year)
    campaign = Campaign(year=year, motto="Россия — страна со Знаком качества", week_start=week_start,
                        week_end=week_end, quality_day=calendar.quality_day(year),
                        report_deadline=calendar.report_deadline(year))
    sender = Sender(is_operator=True, **seed_texts.OPERATOR)
    return Letter(sender=sender, campaign=campaign, status=Letter.Status.REGISTERED, number=2174,
                  reg_number="2174-РСК", reg_date=dt.date(year, 10, 22), title=seed_texts.TITLE_EDUCATION,
                  body=seed_texts.TEMPLATE_EDUCATION, addressee=morph.dative(seed_texts.ADDRESSEE_EDUCATION),
                  salutation="Уважаемые коллеги!", signer_position=sender.signer_position,
                  signer_name=sender.signer_name, executor_name=sender.executor_name,
                  executor_phone=sender.executor_phone, with_qr=True, verify_token="bench-verify-token-2174")


def addressees(n: int) -> list[tuple[str, str]]:
    """n personal (addressee, salutation) pairs: heads of education authorities of the 89 regions."""
    import csv

    from qualityweek.directory.demo import FEMALE_NAMES, MALE_NAMES, SURNAMES
    from qualityweek.outreach import morph

    with open(ROOT / "qualityweek" / "directory" / "data" / "regions.csv", encoding="utf-8") as f:
        regions = [row["name_genitive"] for row in csv.DictReader(f)]
    positions = [morph.dative(f"Министр образования {r}") for r in regions]
    people = []
    for surname in SURNAMES:
        for first, patronymic in MALE_NAMES:
            people.append(morph.Person(surname, first, patronymic))
        for first, patronymic in FEMALE_NAMES:
            people.append(morph.Person(surname + "а", first, patronymic))
    names = [(p.dative_short(), p.salutation()) for p in people]
    return [(f"{positions[i % len(positions)]}\n{names[i % len(names)][0]}", names[i % len(names)][1])
            for i in range(n)]


def worker(number: int, chunks: mp.Queue, results: mp.Queue, folder: str) -> None:
    setup()
    from qualityweek.outreach import render
    from qualityweek.outreach.content import content_for, letter_values, personal_content, qr_images, verify_url

    letter = build_letter()
    started = time.perf_counter()
    base = content_for(letter, qr=qr_images(verify_url(letter)))
    values = letter_values(letter)
    render.render_pdf(base), render.render_docx(base)  # the compiler and the template are made once per process
    cold = time.perf_counter() - started
    pdf_n = docx_n = 0
    pdf_s = docx_s = pdf_cpu = docx_cpu = 0.0
    out = Path(folder)
    while True:
        try:
            index, chunk = chunks.get(timeout=1)
        except queue.Empty:
            break
        copies = [personal_content(base, values, addressee=a, salutation=s) for a, s in chunk]
        t, cpu = time.perf_counter(), time.process_time()
        for i, content in enumerate(copies):
            (out / f"{index}-{i}.pdf").write_bytes(render.render_pdf(content))
        pdf_s, pdf_cpu = pdf_s + time.perf_counter() - t, pdf_cpu + time.process_time() - cpu
        t, cpu = time.perf_counter(), time.process_time()
        for i, content in enumerate(copies):
            (out / f"{index}-{i}.docx").write_bytes(render.render_docx(content))
        docx_s, docx_cpu = docx_s + time.perf_counter() - t, docx_cpu + time.process_time() - cpu
        pdf_n += len(copies)
        docx_n += len(copies)
    results.put({"worker": number, "cold": cold, "pdf": (pdf_n, pdf_s, pdf_cpu), "docx": (docx_n, docx_s, docx_cpu)})


def weasyprint_rate(renders: int) -> float:
    """The same letter, as the preview's HTML, rendered to PDF by WeasyPrint."""
    import logging

    import weasyprint

    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.template.loader import render_to_string

    from qualityweek.outreach.content import content_for, qr_images, verify_url
    from qualityweek.outreach.docx_template import FONT_DIR

    letter = build_letter()
    content = content_for(letter, qr=qr_images(verify_url(letter)))
    css = (ROOT / "qualityweek" / "outreach" / "static" / "outreach" / "outreach.css").read_text()
    font = (FONT_DIR / "LiberationSerif-Regular.ttf").as_uri()
    bold = (FONT_DIR / "LiberationSerif-Bold.ttf").as_uri()
    html = (
        "<html lang='ru'><head><meta charset='utf-8'><style>"
        f"@font-face {{ font-family: 'Liberation Serif'; src: url('{font}'); }}"
        f"@font-face {{ font-family: 'Liberation Serif'; font-weight: bold; src: url('{bold}'); }}"
        "@page { size: A4; margin: 20mm 10mm 20mm 20mm; } :root { --line: #fff; }"
        f"{css} .paper {{ border: 0; box-shadow: none; padding: 0; max-width: none; font-size: 14pt; }}"
        "</style></head><body>" + render_to_string("outreach/_letter_paper.html", {"content": content})
        + f"<div style='width:22mm'>{content.qr_svg}</div></body></html>"
    )
    weasyprint.HTML(string=html, base_url=str(ROOT)).write_pdf()  # warm up (fonts, CSS)
    started = time.perf_counter()
    for _ in range(renders):
        weasyprint.HTML(string=html, base_url=str(ROOT)).write_pdf()
    return renders / (time.perf_counter() - started)


def naive_docx_rate(renders: int, pairs: list[tuple[str, str]]) -> float:
    from qualityweek.outreach import render
    from qualityweek.outreach.content import content_for, letter_values, personal_content, qr_images, verify_url

    letter = build_letter()
    base = content_for(letter, qr=qr_images(verify_url(letter)))
    values = letter_values(letter)
    render.render_docx_naive(base)
    started = time.perf_counter()
    for a, s in pairs[:renders]:
        render.render_docx_naive(personal_content(base, values, addressee=a, salutation=s))
    return renders / (time.perf_counter() - started)


def fast_rates(renders: int, pairs: list[tuple[str, str]]) -> tuple[float, float]:
    from qualityweek.outreach import render
    from qualityweek.outreach.content import content_for, letter_values, personal_content, qr_images, verify_url

    letter = build_letter()
    base = content_for(letter, qr=qr_images(verify_url(letter)))
    values = letter_values(letter)
    copies = [personal_content(base, values, addressee=a, salutation=s) for a, s in pairs[:renders]]
    rates = []
    for fn in (render.render_pdf, render.render_docx):
        fn(base)
        started = time.perf_counter()
        for content in copies:
            fn(content)
        rates.append(len(copies) / (time.perf_counter() - started))
    return rates[0], rates[1]


def in_process(letters: int, workers: int) -> None:
    """The old figures: copies rendered in worker processes straight from unsaved instances."""
    args = argparse.Namespace(letters=letters, workers=workers)
    from qualityweek.outreach.services import CHUNK

    load_before = os.getloadavg()[0]
    pairs = addressees(args.letters)
    chunks: mp.Queue = mp.Queue()
    results: mp.Queue = mp.Queue()
    for index, start in enumerate(range(0, len(pairs), CHUNK)):
        chunks.put((index, pairs[start:start + CHUNK]))
    n_chunks = index + 1
    with tempfile.TemporaryDirectory(prefix="qw-letters-") as folder:
        started = time.perf_counter()
        procs = [mp.Process(target=worker, args=(i + 1, chunks, results, folder)) for i in range(args.workers)]
        for p in procs:
            p.start()
        stats = [results.get() for _ in procs]
        for p in procs:
            p.join()
        wall = time.perf_counter() - started
        files = len(os.listdir(folder))
    weasy = weasyprint_rate(5)
    naive = naive_docx_rate(50, pairs)
    # The fast paths once more in this process, right beside the baselines (same load, same moment).
    here_pdf, here_docx = fast_rates(200, pairs)
    load_after = os.getloadavg()[0]

    stats.sort(key=lambda r: r["worker"])
    pdf_rates = [r["pdf"][0] / r["pdf"][1] for r in stats if r["pdf"][0]]
    docx_rates = [r["docx"][0] / r["docx"][1] for r in stats if r["docx"][0]]
    pdf, docx = statistics.mean(pdf_rates), statistics.mean(docx_rates)
    # On a shared, oversubscribed machine a worker does not get a whole CPU: per CPU-second is the
    # rate a worker reaches when it has its core to itself.
    pdf_cpu = statistics.mean(r["pdf"][0] / r["pdf"][2] for r in stats if r["pdf"][0])
    docx_cpu = statistics.mean(r["docx"][0] / r["docx"][2] for r in stats if r["docx"][0])

    def verdict(value: float, target: float) -> str:
        return "MET" if value >= target else "MISSED"

    print("--- in process (second line: no database, no job, no ZIP; per-letter render speed) ---")
    print(f"letters: {args.letters} personalised copies of № 2174-РСК (2 pages, QR code) in {n_chunks} chunks "
          f"of {CHUNK}, shared by {args.workers} workers on {os.cpu_count()} CPUs; "
          f"load average {load_before:.1f} before, {load_after:.1f} after")
    print(f"PDF  (Typst, one compiler per worker): {pdf:.1f} letters/s per worker "
          f"({', '.join(f'{r:.1f}' for r in pdf_rates)}); target >= {TARGET_PDF:.0f} -> {verdict(pdf, TARGET_PDF)}; "
          f"baseline WeasyPrint {weasy:.1f}/s -> {pdf / weasy:.1f}x")
    print(f"DOCX (docxtpl prepared once per worker): {docx:.1f} letters/s per worker "
          f"({', '.join(f'{r:.1f}' for r in docx_rates)}); target >= {TARGET_DOCX:.0f} -> "
          f"{verdict(docx, TARGET_DOCX)}; baseline naive docxtpl {naive:.1f}/s -> {docx / naive:.1f}x")
    print(f"per CPU-second of a worker: PDF {pdf_cpu:.1f}/s ({verdict(pdf_cpu, TARGET_PDF)}), "
          f"DOCX {docx_cpu:.1f}/s ({verdict(docx_cpu, TARGET_DOCX)})")
    print(f"same process, same moment as the baselines: PDF {here_pdf:.1f}/s vs WeasyPrint {weasy:.1f}/s -> "
          f"{here_pdf / weasy:.1f}x; DOCX {here_docx:.1f}/s vs naive docxtpl {naive:.1f}/s -> {here_docx / naive:.1f}x")
    print(f"wall clock: {wall:.1f} s for {files} files ({files / wall:.1f} files/s all workers together); "
          f"cold start per worker {statistics.mean(r['cold'] for r in stats):.2f} s")



# --- The real job ----------------------------------------------------------------------------------

def make_letter_with_deliveries(letters: int) -> tuple[object, object]:
    """The directory, campaigns, the operator's letterhead and register, letter № 2174-РСК registered,
    and one delivery per organisation with its personal addressee and salutation."""
    from django.core.management import call_command
    from django.utils import timezone

    from qualityweek.campaigns import demo as campaigns_demo
    from qualityweek.campaigns.models import Campaign
    from qualityweek.core.audit import Actor
    from qualityweek.core.demo import DemoContext
    from qualityweek.directory import demo as directory_demo
    from qualityweek.directory.models import Organisation, User
    from qualityweek.outreach import seed_texts, services
    from qualityweek.outreach.models import Delivery

    call_command("migrate", verbosity=0)
    ctx = DemoContext(seed=2026, organisations=letters, today=timezone.localdate(),
                      on_progress=lambda done, total, label: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    operator = User.objects.get(email="operator@demo.qualityweek.ru")
    actor = Actor(user=operator)
    sender = services.save_sender(actor=actor, **seed_texts.OPERATOR)
    year = timezone.localdate().year
    services.save_register(actor=actor, sender=sender, year=year, pattern="{n}-РСК", next_number=2174)
    letter = services.create_letter(actor=actor, sender=sender, campaign=Campaign.objects.get(year=year),
                                    title=seed_texts.TITLE_EDUCATION, body=seed_texts.TEMPLATE_EDUCATION,
                                    addressee_position=seed_texts.ADDRESSEE_EDUCATION, with_qr=True)
    letter = services.register_letter(actor=actor, letter=letter)
    orgs = list(Organisation.objects.filter(authority="").order_by("pk").values_list("pk", "email")[:letters])
    pairs = addressees(len(orgs))
    Delivery.objects.bulk_create(
        [Delivery(letter=letter, organisation_id=pk, email=email, addressee=a, salutation=s)
         for (pk, email), (a, s) in zip(orgs, pairs, strict=True)], batch_size=2000)
    return actor, letter


def _proc_status(pid: int) -> tuple[float, float]:
    """(peak RSS in MB, CPU seconds) of a process, or zeros once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return hwm / 1024, (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def start_workers(n: int, env: dict[str, str], folder: Path) -> list:
    import subprocess

    procs = []
    for i in range(n):
        log = (folder / f"worker-{i + 1}.log").open("w")
        procs.append(subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        log.close()
    return procs


def letters_total(letter) -> int:
    return letter.deliveries.count()


def run_job(actor, letter, formats: tuple[str, ...], procs: list, timeout: float) -> dict:
    """Start the render job as the letter's page does and wait for it; poll the workers meanwhile."""
    import zipfile

    from django.conf import settings

    from qualityweek.core.models import Job
    from qualityweek.outreach import tasks

    cpu_before = [_proc_status(p.pid)[1] for p in procs]
    started = time.perf_counter()
    job = tasks.start_render(actor=actor, letter=letter, formats=formats)
    peak = [0.0] * len(procs)
    cpu = list(cpu_before)
    progress_seen: set[int] = set()
    rendered_at = None  # when every copy was rendered (the last chunk then packs the ZIP)
    total = letters_total(letter) * len(formats)
    while True:
        for i, p in enumerate(procs):
            rss, used = _proc_status(p.pid)
            peak[i], cpu[i] = max(peak[i], rss), max(cpu[i], used)
        row = Job.objects.values("status", "done", "result_file", "message").get(pk=job.pk)
        progress_seen.add(row["done"])
        if rendered_at is None and row["done"] >= total:
            rendered_at = time.perf_counter()
        if row["status"] not in (Job.Status.QUEUED, Job.Status.RUNNING):
            break
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"the job did not finish in {timeout:.0f} s: {row}")
        if any(p.poll() is not None for p in procs):
            raise SystemExit("a worker exited during the job (see its log in VAR_DIR)")
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if row["status"] != Job.Status.DONE:
        raise SystemExit(f"the job ended {row['status']}: {row['message']}")
    path = Path(settings.MEDIA_ROOT) / row["result_file"]
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    used = [c - b for c, b in zip(cpu, cpu_before, strict=True)]
    packing = wall - ((rendered_at or time.perf_counter()) - started)
    return {"formats": formats, "wall": wall, "packing": packing, "peak": peak, "cpu": used,
            "zip_bytes": path.stat().st_size, "files": len(names), "done": row["done"],
            "steps": len(progress_seen)}


def real_job(letters: int, workers: int, jobs: list[str]) -> None:
    import shutil
    import signal
    import subprocess

    from bench._bench_common import throwaway_database

    with throwaway_database("qw_letters") as env:
        # The job runs on the database task backend, as in production (throwaway_database sets the
        # immediate backend for the other benchmarks).
        env = env | {"TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
        os.environ["TASKS_BACKEND"] = env["TASKS_BACKEND"]
        setup()
        from django.db import connections

        from qualityweek.outreach.services import CHUNK

        t = time.perf_counter()
        actor, letter = make_letter_with_deliveries(letters)
        built = time.perf_counter() - t
        connections.close_all()
        folder = Path(env["VAR_DIR"])
        procs = start_workers(workers, env, folder)
        results = []
        try:
            time.sleep(3)  # the workers import Django and start polling the queue (not timed: they are long-lived)
            for name in jobs:
                results.append(run_job(actor, letter, JOB_FORMATS[name], procs, timeout=1800))
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:  # a stuck worker is killed
                    p.kill()
                    p.wait()
            connections.close_all()
            shutil.rmtree(env["VAR_DIR"], ignore_errors=True)  # the copies and the ZIPs (gigabytes)
        load = os.getloadavg()
        print(f"--- real job (main figure): PostgreSQL, outreach.tasks.start_render, {workers} x manage.py "
              f"run_worker (database task backend), media storage, ZIP ---")
        print(f"letter № {letter.reg_number} (2 pages, QR code) to {letters} addressees, chunks of {CHUNK}; "
              f"{os.cpu_count()} CPUs shared with other work, load average {load[0]:.1f} / {load[1]:.1f} / "
              f"{load[2]:.1f} after; data built in {built:.1f} s (not timed)")
        for r in results:
            rate = letters / r["wall"]
            peak = max(r["peak"])
            cpu = sum(r["cpu"])
            rate_ok = "MET" if rate >= TARGET_JOB_RATE else f"MISSED by {TARGET_JOB_RATE - rate:.0f}/s"
            rss_ok = "MET" if peak <= TARGET_RSS_MB else f"MISSED by {peak - TARGET_RSS_MB:.0f} MB"
            print(f"job {'+'.join(f.upper() for f in r['formats']):8s}: {letters} letters in {r['wall']:.1f} s wall "
                  f"-> {rate:.1f} letters/s ({r['files'] / r['wall']:.1f} files/s); target >= "
                  f"{TARGET_JOB_RATE:.0f} letters/s -> {rate_ok}")
            print(f"    peak RSS per worker {', '.join(f'{m:.0f}' for m in r['peak'])} MB; target <= "
                  f"{TARGET_RSS_MB:.0f} MB -> {rss_ok}; ZIP {r['zip_bytes'] / 1e6:.1f} MB with {r['files']} "
                  f"files ({r['zip_bytes'] / max(r['files'], 1) / 1e3:.0f} KB a file); job done={r['done']}, "
                  f"{r['steps']} progress values seen; packing the ZIP took about {r['packing']:.1f} s of the wall")
            print(f"    worker CPU {cpu:.1f} s in all ({cpu / r['wall']:.2f} CPUs busy on average) -> "
                  f"{letters / cpu * workers:.1f} letters/s if each of the {workers} workers had a core of its own")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--jobs", default="both", help="comma-separated: both, pdf, docx")
    parser.add_argument("--inprocess", type=int, default=2000, help="copies for the in-process line (0: skip)")
    args = parser.parse_args()
    jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    if not set(jobs) <= set(JOB_FORMATS):
        parser.error(f"--jobs takes {', '.join(JOB_FORMATS)}")
    print(f"bench/letters.py, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} before")
    real_job(args.letters, args.workers, jobs)
    if args.inprocess:
        in_process(args.inprocess, args.workers)


if __name__ == "__main__":
    main()
