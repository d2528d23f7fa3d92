"""The content of one rendered letter: every requisite, typeset, independent of the output format.

Both the PDF (Typst) and the DOCX (docxtpl) are rendered from the same ``LetterContent``, so the two
files always carry the same requisites."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import segno
from django.conf import settings
from django.urls import reverse

from qualityweek.core.text import strip_control, strip_control_deep

from . import placeholders
from .typography import letter_date, numeric_date, typograph

_URL_BRACKETS = re.compile(r"<(https?://[^>\s]+)>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((#|https?://[^)\s]+)\)")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class LetterContent:
    sender_name: tuple[str, ...]
    sender_details: tuple[str, ...]
    number: str  # "2174-РСК" or "" for a draft
    date: dt.date | None
    reply_number: str
    reply_date: dt.date | None
    addressee: tuple[str, ...]
    title: str
    salutation: str
    paragraphs: tuple[tuple[Run, ...], ...]
    attachment: str
    signer_position: str
    signer_name: str
    executor: tuple[str, ...]
    qr_url: str = ""
    qr_png: bytes = b""
    qr_svg: str = ""
    document_title: str = field(default="")

    @property
    def date_text(self) -> str:
        return letter_date(self.date) if self.date else "«___» __________ 20__ г."

    @property
    def registration(self) -> str:
        number = self.number or "__________"
        return f"№\u00a0{number} от {self.date_text}"

    @property
    def reply_line(self) -> str:
        if not self.reply_number:
            return ""
        when = f" от {numeric_date(self.reply_date)}" if self.reply_date else ""
        return f"На №\u00a0{self.reply_number}{when}"

    def plain_paragraphs(self) -> list[str]:
        return ["".join(r.text for r in p) for p in self.paragraphs]


def parse_body(text: str) -> tuple[tuple[Run, ...], ...]:
    """Paragraphs (split by blank lines) of runs; ``**bold**`` marks bold runs."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        block = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if not block:
            continue
        block = _URL_BRACKETS.sub(r"\1", block)
        block = _MD_LINK.sub(lambda m: m[1] if m[2] == "#" else f"{m[1]} ({m[2]})", block)
        block = typograph(block)
        runs = [Run(part, bold=bool(i % 2)) for i, part in enumerate(block.split("**")) if part]
        paragraphs.append(tuple(runs))
    return tuple(paragraphs)


def lines(text: str) -> tuple[str, ...]:
    return tuple(typograph(line.strip()) for line in text.splitlines() if line.strip())


def qr_images(url: str) -> tuple[bytes, str]:
    """The QR-code requisite as a PNG (for the DOCX) and an SVG (for the PDF)."""
    code = segno.make(url, error="m")
    png = io.BytesIO()
    code.save(png, kind="png", scale=8, border=2)
    return png.getvalue(), code.svg_inline(scale=4, border=2, omitsize=False)


def verify_url(letter) -> str:
    return settings.SITE_URL + reverse("outreach_letter_check", args=[letter.verify_token])


def letter_values(letter) -> dict[str, str]:
    return placeholders.values_for(letter.campaign, letter.sender)


def content_for(letter, *, addressee: str | None = None, salutation: str | None = None,
                qr: tuple[bytes, str] | None = None) -> LetterContent:
    """The letter's content, optionally personalised with one addressee's block and salutation.

    ``qr`` lets a caller rendering many copies of the same letter compute the QR code once."""
    sender = letter.sender
    values = letter_values(letter)
    fill = (lambda text: placeholders.fill(strip_control(text), values))  # noqa: E731
    details = [sender.address]
    contacts = []
    if sender.phone:
        contacts.append(f"тел. {sender.phone}")
    if sender.email:
        contacts.append(f"e-mail: {sender.email}")
    if contacts:
        details.append(", ".join(contacts))
    if sender.website:
        details.append(sender.website)
    executor = tuple(x for x in (letter.executor_name, letter.executor_phone) if x)
    qr_url = verify_url(letter) if letter.with_qr and letter.is_registered else ""
    png, svg = (qr or qr_images(qr_url)) if qr_url else (b"", "")
    title = fill(letter.title)
    return _without_control(LetterContent(
        sender_name=tuple(line.strip() for line in sender.name.splitlines() if line.strip()),
        sender_details=tuple(typograph(d) for d in details),
        number=letter.reg_number,
        date=letter.reg_date,
        reply_number=letter.reply_number,
        reply_date=letter.reply_date,
        addressee=lines(fill(addressee if addressee is not None else letter.addressee)),
        title=typograph(title),
        salutation=typograph(fill(salutation if salutation is not None else letter.salutation)),
        paragraphs=parse_body(fill(letter.body)),
        attachment=typograph(fill(letter.attachment).strip()),
        signer_position=typograph(letter.signer_position),
        signer_name=typograph(letter.signer_name),
        executor=executor,
        qr_url=qr_url,
        qr_png=png,
        qr_svg=svg,
        document_title=title,
    ))


def _without_control(c: LetterContent) -> LetterContent:
    """The content with control characters stripped from every text: a body pasted from a PDF or a
    terminal would otherwise make the DOCX unreadable (XML forbids them) and the PDF show boxes."""
    changes: dict = {f.name: strip_control_deep(getattr(c, f.name)) for f in dataclasses.fields(c)
                     if isinstance(getattr(c, f.name), str | tuple) and f.name != "paragraphs"}
    changes["paragraphs"] = tuple(
        tuple(Run(strip_control(r.text), r.bold) for r in p) for p in c.paragraphs)
    return dataclasses.replace(c, **changes)


def personal_content(base: LetterContent, values: Mapping[str, str], *, addressee: str,
                     salutation: str) -> LetterContent:
    """One addressee's copy of a letter whose content was computed once (``content_for``): only the
    addressee requisite and the salutation differ, so thousands of copies skip re-typesetting the text."""
    return dataclasses.replace(base, addressee=lines(placeholders.fill(strip_control(addressee), values)),
                               salutation=typograph(placeholders.fill(strip_control(salutation), values)))
