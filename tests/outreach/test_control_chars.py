"""Control characters pasted into a letter (from a PDF, a spreadsheet, a terminal) never break its
DOCX or PDF: they are stripped before rendering, and the files open."""

from __future__ import annotations

import io

import docx
from pypdf import PdfReader

from qualityweek.outreach import render
from qualityweek.outreach.content import content_for
from tests.outreach.test_documents import letter_2026  # noqa: F401  (the fixture)

CONTROL = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _dirty(letter):
    """The letter with control characters in every text, in memory (PostgreSQL refuses to store NUL;
    forms refuse it too, but a body may reach the renderer from an import or a template)."""
    letter.body = f"Уважаемые{CONTROL} коллеги, проводим\x07 урок\x00 качества.\n\nВторой\x1b абзац\x0c."
    letter.title = f"О Неделе\x0b качества{CONTROL}"
    letter.addressee = "Министерство\x01 образования\x1f"
    letter.salutation = "Уважаемые\x08 коллеги!"
    letter.attachment = "на 2 л.\x0e"
    return letter


def test_docx_of_a_letter_with_control_characters_reopens(letter_2026):  # noqa: F811
    data = render.render_docx(content_for(_dirty(letter_2026)))
    document = docx.Document(io.BytesIO(data))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for c in t._cells])
    assert "проводим урок качества." in text
    assert "Второй абзац." in text
    assert not set(CONTROL) & set(text)


def test_pdf_of_a_letter_with_control_characters_is_valid(letter_2026):  # noqa: F811
    data = render.render_pdf(content_for(_dirty(letter_2026)))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "урок" in text
    assert "Второй" in text
    assert not set(CONTROL) & set(text)
