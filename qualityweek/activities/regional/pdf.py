"""The regional report as a PDF set by Typst with the Liberation Serif font kept in the repository.

User text never becomes Typst markup: the whole report travels to the template as one JSON value in
``sys.inputs`` and the template places each string as text. So a title such as
``#set page(width: 1cm) $x$ *bold* [link] \\`` is printed exactly as typed, with no escaping rules
to get wrong."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import typst
from django.utils import timezone

from qualityweek.core.text import count_ru, date_range_ru, date_ru, ru_number, strip_control_deep

from ..models import RegionalReport
from .selectors import STATE_LABELS, Summary, state
from .xlsx import report_subtitle, report_title

HERE = Path(__file__).resolve().parent.parent  # the activities app: its fonts/
FONTS = HERE / "fonts"
TEMPLATE = HERE / "templates" / "activities" / "regional_report.typ"
# A very large region's list would make a PDF of thousands of pages; the XLSX always holds every row.
MAX_PDF_ACTIVITIES = 3000

_compiler: typst.Compiler | None = None
_lock = threading.Lock()


def _data(s: Summary, report: RegionalReport | None) -> dict[str, Any]:
    today = timezone.localdate()
    facts = [
        ("Регион", f"{s.region.name} (код {s.region.code})"),
        ("Сфера", s.sector_label.lower()),
        ("Неделя качества", date_range_ru(s.campaign.week_start, s.campaign.week_end)),
        ("Срок отчёта", date_ru(s.deadline)),
        ("Статус", STATE_LABELS[state(report)].lower()
         + (f", отправлен {date_ru(timezone.localtime(report.submitted_at).date())}"
            if report is not None and report.submitted_at else "")
         + (" (с опозданием)" if report is not None and report.is_late else "")),
        ("Сформирован", date_ru(today)),
    ]
    if s.campaign.motto:
        facts.insert(2, ("Девиз", f"«{s.campaign.motto}»"))
    registered = s.organisations_registered
    share = f" ({ru_number(100 * s.share_taking_part)}\u00a0%)" if s.share_taking_part is not None else ""
    organisations = (
        f"Приняли участие {count_ru(s.organisations_taking_part, 'организация', 'организации', 'организаций')} "
        f"из {ru_number(registered)} зарегистрированных действующих{share}"
        + (f"; ещё у {count_ru(s.organisations_pending, 'организации', 'организаций', 'организаций')} "
           "отчёты на проверке" if s.organisations_pending else "")
        + "."
    )
    activities = []
    for n, a in enumerate(s.activities[:MAX_PDF_ACTIVITIES].iterator(chunk_size=1000), start=1):
        activities.append({
            "n": str(n), "organisation": a.organisation.name, "title": a.title, "type": a.type.name,
            "dates": date_range_ru(a.starts_on, a.ends_on), "participants": ru_number(a.participants),
            "links": [str(link) for link in a.links or [] if str(link).startswith(("http://", "https://"))],
        })
    truncated = ""
    if s.approved_count > MAX_PDF_ACTIVITIES:
        truncated = (f"Показаны первые {ru_number(MAX_PDF_ACTIVITIES)} из {ru_number(s.approved_count)} принятых "
                     "мероприятий; полный список — в файле XLSX этого отчёта.")
    return {
        "title": report_title(s),
        "subtitle": report_subtitle(s),
        "author": "Платформа «Неделя качества»",
        "footer": f"{report_title(s)}. {s.region.short_name}, {s.sector_label.lower()}",
        "facts": facts,
        "headings": {
            "categories": "Участники по категориям", "category": "Категория участников",
            "approved": "Принято", "submitted": "На проверке", "total_participants": "Всего участников",
            "total_activities": "Мероприятий", "types": "Мероприятия по типам", "none": "Мероприятий нет.",
            "activities": "Принятые мероприятия", "no_activities": "Принятых мероприятий пока нет.",
        },
        "categories": [{"label": c.label, "approved": ru_number(c.approved), "submitted": ru_number(c.submitted)}
                       for c in s.categories],
        "totals": {"approved": ru_number(s.approved_count), "submitted": ru_number(s.submitted_count),
                   "approved_participants": ru_number(s.approved_participants),
                   "submitted_participants": ru_number(s.submitted_participants)},
        "organisations": organisations,
        "type_headers": ["Тип мероприятия", "Принято", "Участников", "На проверке", "Участников"],
        "types": [{"name": t.name, "approved": ru_number(t.approved),
                   "approved_participants": ru_number(t.approved_participants), "submitted": ru_number(t.submitted),
                   "submitted_participants": ru_number(t.submitted_participants)} for t in s.types],
        "activity_headers": ["№", "Организация", "Мероприятие", "Даты", "Участников", "Ссылки"],
        "activities": activities,
        "truncated": truncated,
    }


def _get_compiler() -> typst.Compiler:
    global _compiler
    if _compiler is None:
        # Only the fonts in the repository: the PDF looks the same on every machine.
        _compiler = typst.Compiler(font_paths=[str(FONTS)], ignore_system_fonts=True)
    return _compiler


def build_pdf(s: Summary, report: RegionalReport | None = None) -> bytes:
    payload = json.dumps(strip_control_deep(_data(s, report)), ensure_ascii=False)
    source = TEMPLATE.read_bytes()
    with _lock:  # one compiler (fonts loaded once) shared by the request threads
        pdf = _get_compiler().compile(input=source, format="pdf", sys_inputs={"data": payload},
                                      timestamp=int(timezone.now().timestamp()))
    if not isinstance(pdf, bytes):
        raise TypeError(f"expected bytes, got {type(pdf).__name__}")
    return pdf
