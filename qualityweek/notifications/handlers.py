"""What each event tells whom: subscribed to ``core.events`` from the app's ready(). Each handler
runs inside the emitting service's transaction and only writes notification rows (letters leave
after commit), so a rolled-back transition tells nobody."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from qualityweek.core import events
from qualityweek.core.text import date_ru
from qualityweek.outreach.models import SECTOR_OF_AUTHORITY

from . import recipients
from .services import notify


def activity_returned(*, activity: Any, comment: str) -> None:
    notify(users=recipients.organisation_people(activity.organisation_id, also=[activity.created_by_id]),
           kind="report_returned", key=f"activity:{activity.pk}:returned:{activity.reviewed_at.isoformat()}",
           title=f"Отчёт возвращён на доработку: {activity.title}",
           body=f"Комментарий координатора: {comment}",
           url=reverse("activity_report", args=[activity.pk]))


def activity_approved(*, activity: Any) -> None:
    notify(users=recipients.organisation_people(activity.organisation_id, also=[activity.created_by_id]),
           kind="report_approved", key=f"activity:{activity.pk}:approved:{activity.reviewed_at.isoformat()}",
           title=f"Отчёт принят: {activity.title}", url=reverse("activity_detail", args=[activity.pk]))


def organisation_approved(*, organisation: Any) -> None:
    notify(users=recipients.organisation_people(organisation.pk), kind="organisation_approved",
           key=f"organisation:{organisation.pk}:approved", title=f"Организация подтверждена: {organisation.name}",
           body="Теперь можно планировать мероприятия Недели качества и отчитываться о них.",
           url=reverse("cabinet"))


def organisation_rejected(*, organisation: Any, reason: str) -> None:
    notify(users=recipients.organisation_people(organisation.pk), kind="organisation_rejected",
           key=f"organisation:{organisation.pk}:rejected", title=f"Заявка организации отклонена: {organisation.name}",
           body=f"Причина: {reason}")


def invitation_accepted(*, invitation: Any, user: Any) -> None:
    if invitation.invited_by_id is None:
        return
    name = " ".join(part for part in (user.last_name, user.first_name) if part) or user.email
    notify(users=[invitation.invited_by], kind="invitation_accepted", key=f"invitation:{invitation.pk}:accepted",
           title=f"Приглашение принято: {name}", body=f"{user.email} зарегистрировался по вашему приглашению.",
           url=reverse("invitation_list"))


def letter_received(*, delivery: Any) -> None:
    org = delivery.organisation
    people = (recipients.coordinators(org.region_id, SECTOR_OF_AUTHORITY.get(org.authority, ""))
              if org.authority else recipients.organisation_people(org.pk))
    letter = delivery.letter
    notify(users=people, kind="letter_received", key=f"delivery:{delivery.pk}:letter",
           title=f"Новое письмо № {letter.reg_number} от {date_ru(letter.reg_date)}",
           body=f"От: {letter.sender}. Подтвердите ознакомление в «Моём кабинете».",
           url=reverse("outreach_letter_detail", args=[letter.pk]))


def regional_report_returned(*, report: Any, comment: str) -> None:
    notify(users=recipients.coordinators(report.region_id, report.sector), kind="regional_report_returned",
           key=f"regional_report:{report.pk}:returned:{report.reviewed_at.isoformat()}",
           title=f"Региональный отчёт {report.campaign.year} года возвращён", body=f"Комментарий оператора: {comment}",
           url=reverse("regional_report_detail", args=[report.campaign.year, report.region.code, report.sector]))


def request_answered(*, request: Any) -> None:
    notify(users=recipients.by_email(request.email), kind="request_answered",
           key=f"request:{request.pk}:answered:{request.replies.count()}",
           title=f"Дан ответ на обращение № {request.pk}", body="Ответ отправлен вам на почту.")


def subscribe_all() -> None:
    events.subscribe("activity.returned", activity_returned)
    events.subscribe("activity.approved", activity_approved)
    events.subscribe("organisation.approved", organisation_approved)
    events.subscribe("organisation.rejected", organisation_rejected)
    events.subscribe("invitation.accepted", invitation_accepted)
    events.subscribe("letter.received", letter_received)
    events.subscribe("regional_report.returned", regional_report_returned)
    events.subscribe("request.answered", request_answered)
