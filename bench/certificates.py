"""Benchmark: 10,000 certificates of participation rendered to PDF by one worker, and their ZIP.

Each certificate is a different organisation (name, number, random verification id, QR code) of the
2026 campaign, built as an unsaved ``Certificate`` and turned into its document by the production code
(``services.document_for`` + ``render.render_pdf``: one Typst compiler reused, the kind's data file
unchanged between copies, only the holder's file rewritten). Timed: wall clock of the whole loop,
documents built, QR codes made, PDFs compiled, in one process (one worker).

Baseline, in the same run: the naive path (``render.render_naive``: a fresh Typst compile per
document, template parsed and fonts loaded each time) on a smaller sample (``--baseline``, 200 by
default: at its speed the whole 10,000 would take minutes and say nothing more), then the reused
compiler on as many other documents right beside it. Every measurement renders documents of its own:
Typst's memoisation cache is process-wide, so a document rendered before would be cheaper again.

ZIP: a child process writes the ZIP of all the certificates with ``services.write_zip`` (each PDF
rendered and appended to the file as it comes) and reports its resident memory after 1,000 PDFs and
at the end, and its peak (``ru_maxrss``): flat memory means the end is no higher than after 1,000.

Target (issue #14): >= 200 PDF/s per worker, wall clock. The CPU time of the loop is printed too: on a
machine shared with other work, wall clock measures the share of a core the worker got, and PDF per
CPU-second what it does with a core of its own.

    .venv/bin/python bench/certificates.py [--certificates 10000] [--baseline 200]

No database is needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 200.0


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityweek.settings")
    import django

    django.setup()


def certificates(n: int) -> list:
    """n certificates of participation of the 2026 campaign, unsaved, each a different school."""
    from qualityweek.certificates.kinds import ISSUER, SIGNER_NAME, SIGNER_POSITION, Kind, format_number
    from qualityweek.certificates.models import Certificate, new_public_id

    kinds = ["МБОУ СОШ", "МОАУ Лицей", "МБОУ Гимназия", "МКОУ ООШ", "КОГОБУ СШ с УИОП"]
    towns = ["г. Кирова", "г. Слободского", "г. Котельнича", "пгт Кильмезь", "г. Вятские Поляны", "с. Шурма"]
    issued = dt.datetime(2026, 12, 22, 9, 0, tzinfo=dt.UTC)
    out = []
    for i in range(1, n + 1):
        name = f"{kinds[i % len(kinds)]} № {i % 97 + 1} {towns[i % len(towns)]}"
        out.append(Certificate(
            pk=i, public_id=new_public_id(), kind=Kind.PARTICIPATION, year=2026, number=i,
            number_text=format_number(Kind.PARTICIPATION, 2026, i), source="activities.participation",
            subject_id=1, subject_label="Неделя качества 2026", holder_key=f"org:{i}", holder_name=name,
            holder_printed=name, reason="за участие во Всемирной неделе качества 2026\u00a0года",
            campaign_line="Всемирная неделя качества 2026 · День качества 12\u00a0ноября",
            motto="Россия — страна со Знаком качества", issuer=ISSUER, signer_position=SIGNER_POSITION,
            signer_name=SIGNER_NAME, issued_at=issued))
    return out


def loadavg() -> str:
    return Path("/proc/loadavg").read_text(encoding="ascii").strip()


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def zip_child(n: int, path: str, out: mp.Queue) -> None:
    setup()
    from qualityweek.certificates import services

    samples: dict[int, int] = {}

    def progress(done: int, _total: int) -> None:
        if done in (1, 1000, n // 2, n):
            samples[done] = rss_kb()

    certs = iter(certificates(n))  # (10,000 unsaved rows: a few MB, like a chunked queryset's pages)
    started = time.perf_counter()
    count = services.write_zip(certs, Path(path), total=n, progress=progress)
    seconds = time.perf_counter() - started
    out.put({"count": count, "seconds": seconds, "samples": samples,
             "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "size": os.path.getsize(path)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=200)
    args = parser.parse_args()
    setup()
    from qualityweek.certificates import render, services

    print(f"load average before: {loadavg()}")
    # Every measurement gets documents of its own: Typst's memoisation cache is process-wide, so a
    # document rendered once would be cheaper the second time, whichever path renders it.
    everything = certificates(args.certificates + 2 * args.baseline + 1)
    warm, certs = everything[0], everything[1:args.certificates + 1]
    naive_sample = everything[args.certificates + 1:args.certificates + 1 + args.baseline]
    beside_sample = everything[args.certificates + 1 + args.baseline:]
    render.render_pdf(services.document_for(warm))  # the compiler is made once per worker process

    build = qr = compile_ = 0.0
    cpu_started = time.process_time()
    started = time.perf_counter()
    for cert in certs:
        t0 = time.perf_counter()
        doc = services.document_for(cert)
        t1 = time.perf_counter()
        render.qr_svg(doc.copy.url)
        t2 = time.perf_counter()
        pdf = render.render_pdf(doc)
        t3 = time.perf_counter()
        build, qr, compile_ = build + t1 - t0, qr + t2 - t1, compile_ + t3 - t2
        if not pdf.startswith(b"%PDF"):
            raise RuntimeError("not a PDF")
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    n = len(certs)
    rate = n / wall
    print(f"reused compiler: {n} PDF in {wall:.1f} s = {rate:.0f} PDF/s wall clock, one worker "
          f"(target {TARGET:.0f}: {'met' if rate >= TARGET else 'NOT met'}); "
          f"per PDF: document {1000 * build / n:.2f} ms, QR {1000 * qr / n:.2f} ms, "
          f"Typst {1000 * compile_ / n:.2f} ms; "
          f"CPU time {cpu:.1f} s = {n / cpu:.0f} PDF per CPU-second (what the worker gets when the cores are free)")

    started = time.perf_counter()
    for cert in naive_sample:
        render.render_naive(services.document_for(cert))
    naive = len(naive_sample) / (time.perf_counter() - started)
    # The fast path once more on as many new documents right beside the baseline: the fair ratio under
    # today's load.
    started = time.perf_counter()
    for cert in beside_sample:
        render.render_pdf(services.document_for(cert))
    beside = len(beside_sample) / (time.perf_counter() - started)
    print(f"naive baseline (fresh Typst compile per PDF), {len(naive_sample)} new certificates: {naive:.0f} PDF/s; "
          f"reused compiler right after, {len(beside_sample)} other new ones: {beside:.0f} PDF/s "
          f"({beside / naive:.1f}x)")

    with tempfile.TemporaryDirectory(prefix="qw-bench-cert-") as folder:
        path = os.path.join(folder, "certificates.zip")
        out: mp.Queue = mp.get_context("spawn").Queue()
        child = mp.get_context("spawn").Process(target=zip_child, args=(args.certificates, path, out))
        child.start()
        result = out.get()
        child.join()
    s = result["samples"]
    print(f"ZIP of {result['count']} PDF ({result['size'] / 1e6:.0f} MB) streamed to disk in {result['seconds']:.1f} s "
          f"= {result['count'] / result['seconds']:.0f} PDF/s; RSS after 1: {s.get(1, 0) / 1024:.0f} MB, "
          f"after 1,000: {s.get(1000, 0) / 1024:.0f} MB, half-way: {s.get(result['count'] // 2, 0) / 1024:.0f} MB, "
          f"at the end: {s.get(result['count'], 0) / 1024:.0f} MB; "
          f"peak RSS {result['peak_kb'] / 1024:.0f} MB")
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
