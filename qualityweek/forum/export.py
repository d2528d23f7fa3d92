"""XLSX of a forum's registrants with every answer to the form's questions (xlsxwriter, streamed rows),
written by a job (``tasks.export_registrants_task``) into the owner's private files. Cells are
written as strings, never formulas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from qualityweek.core.text import datetime_ru

from . import selectors
from .models import Consent, Forum, Member, Registration

HEADERS = ["№", "ФИО / руководитель", "E-mail", "Вид", "Мест", "Учащихся", "Взрослых", "Регион", "Организация",
           "Сессия", "Площадка", "Статус", "Причина отказа", "Зарегистрирован(а)", "Вход отмечен", "Онлайн-вход",
           "Согласие 152-ФЗ (версия, время, IP)", "Согласие партнёрам", "Участники делегации"]


def _answer(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return "" if value is None else str(value)


def _when(value: Any) -> dt.datetime | str:
    """A moment as the local wall-clock time for a date-and-time cell («» when there is none)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


def _consent(pd: Consent | None) -> str:
    """«v3, 15 декабря 2026 г., 18:00, 10.0.0.1»: the document's version, when and from where."""
    if pd is None:
        return ""
    return f"v{pd.document_version}, {datetime_ru(pd.accepted_at) if pd.accepted_at else ''}, {pd.ip or ''}"


def write_registrants(*, owner: Any, forum_id: int, job_id: str,
                      on_progress: Callable[[int, int], None]) -> tuple[str, str, int]:
    """The registrants the owner may see, into ``private/exports/<job>.xlsx``: (relative path, file name, rows)."""
    forum = Forum.objects.select_related("campaign").get(pk=forum_id)
    relative = f"private/exports/{job_id}.xlsx"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    count = registrants_xlsx(forum, selectors.registrations_for(owner, forum), str(path), on_progress)
    return relative, f"forum-{forum.campaign.year}-registrants.xlsx", count


def registrants_xlsx(forum: Forum, registrations: QuerySet[Registration], target: str,
                     on_progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    questions = list(forum.questions.all())
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    sheet = book.add_worksheet("Участники")
    bold = book.add_format({"bold": True})
    # Counts stay numbers shown with thousands grouped (the reader's own separator); moments stay dates.
    count = book.add_format({"num_format": "#,##0"})
    moment = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    sheet.write_row(0, 0, HEADERS + [q.label for q in questions], bold)
    consents: dict[tuple[int, str], Consent] = {}
    qs = registrations.select_related("session", "venue", "region", "organisation", "ticket").order_by("pk")
    ids = list(qs.values_list("pk", flat=True))
    total = len(ids)
    for c in Consent.objects.filter(registration_id__in=ids):
        consents[(c.registration_id, c.kind)] = c
    members: dict[int, list[str]] = {}
    for m in Member.objects.filter(registration_id__in=ids).order_by("pk"):
        members.setdefault(m.registration_id, []).append(m.label())
    n = 0
    for n, r in enumerate(qs.iterator(chunk_size=2000), start=1):
        ticket = getattr(r, "ticket", None)
        pd = consents.get((r.pk, Consent.Kind.PERSONAL_DATA))
        partners = consents.get((r.pk, Consent.Kind.PARTNERS))
        row: list[Any] = [n, r.name, r.email, r.get_kind_display(), r.seats, r.pupils, r.adults,
               r.region.name if r.region else "", r.organisation.name if r.organisation else "", r.session.title,
               r.venue.name, r.get_status_display(), r.decline_reason, _when(r.created_at),
               _when(ticket.checked_in_at if ticket else None), _when(r.joined_at),
               _consent(pd),
               "да" if partners else "нет"]
        row.append("; ".join(members.get(r.pk, [])))
        row += [_answer(r.answers.get(str(q.pk))) for q in questions]
        for col, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(n, col, value, moment)
            elif isinstance(value, int):
                sheet.write_number(n, col, value, count)
            else:
                sheet.write_string(n, col, value)
        if n % 500 == 0:
            on_progress(n, total)
    on_progress(n, total)
    book.close()
    return n
