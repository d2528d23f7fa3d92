"""Reads of the campaign calendar, including what the home page tells each role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from qualityweek.core.text import date_ru
from qualityweek.directory.access import Principal, principal
from qualityweek.directory.models import Organisation, Region

from .models import Campaign, RegionalWindow


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    """The one read of campaigns: a draft (not yet announced) campaign is the national operator's
    only; everyone else — coordinators, organisations, visitors (``None``) — sees announced ones.
    Every list, form choice and public page reads campaigns through this (or ``campaigns_for``)."""
    qs = Campaign.objects.order_by("-year")
    return qs if principal(user).is_operator else qs.exclude(phase=Campaign.Phase.DRAFT)


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """``visible_campaigns`` with each campaign's regional windows loaded (pages that show dates)."""
    return visible_campaigns(user).prefetch_related(
        Prefetch("windows", RegionalWindow.objects.select_related("region")))


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """This year's campaign once announced; otherwise the latest announced one."""
    today = today or timezone.localdate()
    announced = visible_campaigns(None).prefetch_related("windows")
    return announced.filter(year__lte=today.year).order_by("-year").first()


def home_region(user: Any, p: Principal) -> Region | None:
    """The region whose dates and deadline the user lives by (Moscow time for national roles)."""
    if p.regions:
        return Region.objects.get(pk=sorted(p.regions)[0][0])
    if p.organisations:
        org = Organisation.objects.select_related("region").filter(pk__in=list(p.organisations)).first()
        return org.region if org else None
    return None


@dataclass
class CampaignStatus:
    campaign: Campaign
    region: Region | None
    week: tuple[dt.date, dt.date]
    deadline: dt.date
    days_to_deadline: int
    days_to_quality_day: int
    todo: list[str] = field(default_factory=list)

    @property
    def counting_to_quality_day(self) -> bool:
        """Before Quality Day the page counts down to it; afterwards, to the report deadline."""
        return self.days_to_quality_day > 0 and self.campaign.phase in {
            Campaign.Phase.ANNOUNCED, Campaign.Phase.RUNNING, Campaign.Phase.DRAFT}


def campaign_status(user: Any, campaign: Campaign, now: dt.datetime | None = None) -> CampaignStatus:
    p = principal(user)
    region = home_region(user, p)
    today = (now or timezone.now()).astimezone(region.zone if region else timezone.get_current_timezone()).date()
    deadline = campaign.deadline_for(region) if region else campaign.report_deadline
    status = CampaignStatus(
        campaign=campaign, region=region, week=campaign.dates_for(region), deadline=deadline,
        days_to_deadline=(deadline - today).days, days_to_quality_day=(campaign.quality_day - today).days,
    )
    status.todo = todo_for(p, campaign.phase, status)
    return status


P = Campaign.Phase
TODO_OPERATOR: dict[str, list[str]] = {
    P.DRAFT: ["Утвердите девиз и даты кампании и объявите её."],
    P.ANNOUNCED: ["Разошлите информационные письма в органы управления образованием и в министерства "
                  "промышленности регионов.", "Проверьте, что в каждом регионе назначены координаторы."],
    P.RUNNING: ["Следите, какие регионы и организации уже проводят мероприятия."],
    P.REPORTING: ["Регионы сдают отчёты до {deadline}: следите за полнотой и сроками по регионам."],
    P.CLOSED: ["Подведите итоги и опубликуйте лучшие практики."],
}
TODO_COORDINATOR: dict[str, list[str]] = {
    P.DRAFT: ["Проверьте список организаций своего региона."],
    P.ANNOUNCED: ["Передайте письмо оператора организациям региона.",
                  "Пригласите представителей организаций и подтвердите новые заявки."],
    P.RUNNING: ["Помогайте организациям с мероприятиями; подтверждайте новые заявки."],
    P.REPORTING: ["Проверьте отчёты организаций региона.", "Отправьте региональный отчёт оператору до {deadline}"],
    P.CLOSED: ["Кампания завершена. Спасибо за работу!"],
}
TODO_ORGANISATION: dict[str, list[str]] = {
    P.DRAFT: ["Кампания готовится: проверьте данные своей организации."],
    P.ANNOUNCED: ["Запланируйте мероприятия Недели качества: уроки качества, классные часы, квизы, "
                  "дни открытых дверей, экскурсии."],
    P.RUNNING: ["Проводите мероприятия: сохраните фотографии и ссылки на публикации для отчёта."],
    P.REPORTING: ["Отправьте отчёты о проведённых мероприятиях до {deadline}"],
    P.CLOSED: ["Кампания завершена. Спасибо за участие!"],
}
TODO_PUBLIC: dict[str, list[str]] = {
    P.DRAFT: ["Кампания готовится."],
    P.ANNOUNCED: ["Школы, колледжи и предприятия: присоединяйтесь — зарегистрируйте организацию."],
    P.RUNNING: ["Приходите на дни открытых дверей и уроки качества в своём регионе."],
    P.REPORTING: ["Неделя качества прошла: организации отчитываются о мероприятиях."],
    P.CLOSED: ["Кампания завершена. Итоги и лучшие практики будут опубликованы."],
}


def todo_for(p: Principal, phase: str, s: CampaignStatus) -> list[str]:
    """What each role should do now, in the campaign's current phase."""
    todo: list[str] = []
    if p.is_operator:
        todo += TODO_OPERATOR[phase]
    if p.is_coordinator:
        todo += TODO_COORDINATOR[phase]
    if p.organisations:
        todo += TODO_ORGANISATION[phase]
    deadline = date_ru(s.deadline)
    return [line.format(deadline=deadline) for line in todo or TODO_PUBLIC[phase]]
