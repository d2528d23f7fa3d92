"""A certificate as a PDF (Typst), fast enough for tens of thousands in one job.

Speed comes from one Typst compiler per thread that keeps its parsed template and loaded fonts:
the document's data is read from two files in the compiler's own folder — ``kind.json`` (what all
certificates of a kind and campaign share) and ``copy.json`` (one holder) — so Typst's memoisation
reuses the layout of the shared parts and only the holder's lines and QR code are set again.
``render_naive`` is the plain way (a fresh compile with fonts loaded each time): the benchmark's
baseline.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import segno
import typst

from qualityweek.core.text import strip_control_deep

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
TEMPLATE = HERE / "typst" / "certificate.typ"


@dataclass(frozen=True)
class KindPart:
    document_title: str
    title: str
    subtitle: str
    campaign_line: str
    issuer: str
    motto: str
    signer_position: str
    signer_name: str


@dataclass(frozen=True)
class CopyPart:
    lead: str
    holder: str  # as printed (a person's name in the dative on a letter of thanks)
    place: str
    reason: str
    date: str  # «12 ноября 2026 г.»
    number: str
    url: str
    revoked: str = ""  # «Отозван 5 декабря 2026 г.» stamped across a revoked certificate's copy


@dataclass(frozen=True)
class Document:
    kind: KindPart
    copy: CopyPart
    day: dt.date  # the PDF's fixed creation date: the same certificate is the same bytes


@functools.lru_cache(maxsize=1024)
def qr_svg(url: str) -> str:
    # A fixed mask pattern: a valid QR code (readers try every mask), and choosing the best of eight
    # by their penalty scores costs more than setting the whole page.
    return segno.make(url, error="m", micro=False, mask=3).svg_inline(scale=4, border=2, omitsize=False)


def _json(value: object) -> str:
    return json.dumps(strip_control_deep(value), ensure_ascii=False)


def _timestamp(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _copy_json(doc: Document) -> str:
    return _json({**asdict(doc.copy), "qr_svg": qr_svg(doc.copy.url)})


class PdfCompiler:
    """One Typst compiler with its own folder holding the template and the two data files."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="qw-cert-")
        root = Path(self._folder.name)
        (root / "certificate.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        self._kind, self._copy = root / "kind.json", root / "copy.json"
        self._kind_data = ""
        self._compiler = typst.Compiler(str(root / "certificate.typ"), root=str(root), font_paths=[str(FONTS)],
                                        ignore_system_fonts=True)

    def compile(self, doc: Document) -> bytes:
        kind = _json(asdict(doc.kind))
        if kind != self._kind_data:
            self._kind.write_text(kind, encoding="utf-8")
            self._kind_data = kind
        self._copy.write_text(_copy_json(doc), encoding="utf-8")
        pdf = self._compiler.compile(timestamp=_timestamp(doc.day))
        if not isinstance(pdf, bytes):  # one PDF, not a list of page images
            raise TypeError(f"expected bytes, got {type(pdf).__name__}")
        return pdf


_local = threading.local()


def compiler() -> PdfCompiler:
    """This thread's compiler, made once."""
    found = getattr(_local, "compiler", None)
    if found is None:
        found = PdfCompiler()
        _local.compiler = found
    return found


def render_pdf(doc: Document) -> bytes:
    return compiler().compile(doc)


def render_naive(doc: Document) -> bytes:
    """A fresh compile per document (template parsed and fonts loaded every time): the baseline."""
    with tempfile.TemporaryDirectory(prefix="qw-cert-naive-") as folder:
        root = Path(folder)
        (root / "certificate.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        (root / "kind.json").write_text(_json(asdict(doc.kind)), encoding="utf-8")
        (root / "copy.json").write_text(_copy_json(doc), encoding="utf-8")
        pdf = typst.compile(str(root / "certificate.typ"), root=str(root), font_paths=[str(FONTS)],
                            ignore_system_fonts=True, timestamp=_timestamp(doc.day))
    if not isinstance(pdf, bytes):
        raise TypeError(f"expected bytes, got {type(pdf).__name__}")
    return pdf
