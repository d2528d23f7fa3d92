"""Benchmark: 10,000 personalised letters, PDF (Typst) and DOCX (docxtpl), in jobs several workers share.

The letter is seed 000 recreated for the 2026 campaign (№ 2174-РСК, two pages, QR code); every copy has
its own addressee in the dative and its own salutation, as ``services.start_render`` produces them. The
copies are cut into chunks of ``services.CHUNK`` (the render job's chunk size) and put on one queue;
each worker process takes chunks until the queue is empty, renders every copy with the production code
(``content.personal_content`` + ``render.render_pdf`` / ``render.render_docx``) and writes the files,
timing each format separately. Printed per worker: letters per second of its busy time, per format.

Baselines, measured in the same run in one process: one WeasyPrint render of the same letter (HTML
from the preview template, same font and margins), and a naive docxtpl render that re-reads its
template for every copy (``render.render_docx_naive``). Because the machine's load changes between
the workers' phase and the baselines', the fast paths are timed once more in that process right
beside the baselines, and that pair gives the fair ratio.

Targets (issue #5): >= 200 PDF/s and >= 200 DOCX/s per worker.

    .venv/bin/python bench/letters.py [--letters 10000] [--workers 2]

No database is needed: the letter is built from unsaved model instances.
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
TARGET_PDF = 200.0
TARGET_DOCX = 200.0


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4))
    args = parser.parse_args()
    setup()
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


if __name__ == "__main__":
    main()
