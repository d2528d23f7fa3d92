"""The ticket as a PDF set by Typst (the fonts in ``forum/fonts/``) with its QR code drawn by segno.

The ticket's data travels to the template as one JSON value in ``sys.inputs``, so a name full of
Typst markup is printed as typed. One compiler (fonts loaded once) is shared under a lock."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import segno
import typst

from qualityweek.core.text import datetime_ru, ru_number, strip_control_deep

from .models import Member, Registration
from .services import display_code

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
TEMPLATE = HERE / "templates" / "forum" / "ticket.typ"

_compiler: typst.Compiler | None = None
_lock = threading.Lock()


def qr_svg(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


def _compiler_instance() -> typst.Compiler:
    global _compiler
    if _compiler is None:
        _compiler = typst.Compiler(font_paths=[str(FONTS)], ignore_system_fonts=True)
    return _compiler


def ticket_pdf(registration: Registration, member: Member | None = None) -> bytes:
    """The registration's ticket, or (``member``) a delegation member's own ticket."""
    session = registration.session
    code = member.code if member is not None else registration.ticket.code
    issued = member.created_at if member is not None else registration.ticket.issued_at
    people = registration.name
    if member is not None:
        people = f"{member.label()} (делегация, руководитель — {registration.name})"
    elif registration.kind != Registration.Kind.INDIVIDUAL:
        people += f" ({registration.get_kind_display().lower()}: {ru_number(registration.seats)} чел.)"
    data = {
        "forum": registration.forum.title,
        "title": session.title,
        "facts": [
            ["Участник", people],
            ["Когда", datetime_ru(session.starts_at)],
            ["Где", f"{registration.venue.name}" + (f", {registration.venue.address}"
                                                     if registration.venue.address else "")],
            ["Статус", registration.get_status_display()],
        ],
        "code": display_code(code),
        "qr": qr_svg(code),
    }
    payload = json.dumps(strip_control_deep(data), ensure_ascii=False)
    with _lock:
        pdf = _compiler_instance().compile(input=TEMPLATE.read_bytes(), format="pdf", sys_inputs={"data": payload},
                                           timestamp=int(issued.timestamp()))
    if not isinstance(pdf, bytes):
        raise TypeError(f"expected bytes, got {type(pdf).__name__}")
    return pdf
