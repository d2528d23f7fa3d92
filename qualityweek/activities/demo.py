"""Demo activities: for this year's campaign every region has activities in every state, and last
year's campaign is reported and reviewed (a few late), so lists, queues and reports have data."""

from __future__ import annotations

import datetime as dt
import enum
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core.demo import DemoContext
from qualityweek.directory.demo import DEMO_USERS
from qualityweek.directory.models import Organisation, Role, RoleAssignment

from .imports.services import bulk_insert
from .models import CATEGORY_FIELDS, Activity, ActivityEvent, ActivityType, RegionalReport

S = Activity.Status
TITLES = {
    "quality_lesson": ["Урок качества «Как выбрать качественный товар»", "Урок качества «Знак качества в моей жизни»",
                       "Всероссийский урок качества для {grades} классов"],
    "class_hour": ["Классный час «Качество начинается с меня»", "Классный час «Что такое Знак качества»"],
    "quiz": ["Квиз «Эксперты качества»", "Квиз «Читаем этикетку»"],
    "art_contest": ["Конкурс рисунков «Качество глазами детей»", "Конкурс плакатов «Россия — страна качества»"],
    "intellectual_game": ["Интеллектуальная игра «Что? Где? Качество!»", "Брейн-ринг «Знатоки качества»"],
    "quest": ["Квест «В поисках Знака качества»"],
    "master_class": ["Мастер-класс «Проверяем качество продуктов»", "Мастер-класс «Бережливое производство»"],
    "excursion": ["Экскурсия в лабораторию контроля качества", "Экскурсия «Как делают качественный хлеб»"],
    "publication": ["Баннер и видеоролик ко Дню качества на сайте", "Поздравление с Днём качества в соцсетях"],
    "open_day": ["День открытых дверей", "День открытых дверей для школьников и родителей"],
    "factory_tour": ["Экскурсия на производство для школьников", "Экскурсия по цехам «Как мы работаем»"],
    "special_offer": ["Акция «Неделя качества» для покупателей", "Спецпредложение ко Дню качества"],
    "leader_contest": ["Конкурс «Лидер качества месяца»", "Конкурс «Лидер качества года»"],
    "branding": ["Оформление зала символикой Дня качества"],
    "fair": ["Дегустация продукции ко Дню качества", "Ярмарка местных производителей"],
    "round_table": ["Круглый стол «Качество продукции региона»"],
    "other": ["Мероприятие Недели качества"],
}
# Types each kind of organisation tends to hold.
KIND_TYPES = {
    "school": ["quality_lesson", "quality_lesson", "class_hour", "quiz", "art_contest", "intellectual_game",
               "publication", "open_day"],
    "kindergarten": ["art_contest", "publication", "quest", "excursion"],
    "college": ["quality_lesson", "quiz", "master_class", "round_table", "publication"],
    "university": ["round_table", "quiz", "master_class", "open_day"],
    "supplementary": ["master_class", "quest", "art_contest", "intellectual_game"],
    "manufacturer": ["open_day", "factory_tour", "leader_contest", "branding", "fair", "special_offer"],
    "retailer": ["special_offer", "fair", "branding", "leader_contest"],
    "service": ["special_offer", "open_day", "leader_contest", "branding"],
    "other": ["other", "round_table"],
}
PUBLIC_TYPES = {"open_day", "factory_tour", "special_offer", "fair", "excursion", "master_class"}
COMMENTS = ["Добавьте ссылку на публикацию о мероприятии.", "Уточните число участников по классам.",
            "Приложите фотографии с мероприятия."]
# Every region gets at least one activity in each state.
EVERY_STATE = [S.PLANNED, S.SUBMITTED, S.APPROVED, S.RETURNED, S.CANCELLED]
STATE_WEIGHTS = [(S.APPROVED, 45), (S.SUBMITTED, 22), (S.PLANNED, 15), (S.RETURNED, 10), (S.CANCELLED, 8)]
# The demo teacher's school always has a planned «квиз» on Quality Day, so a live quiz game the teacher
# plays (quizzes app) can be counted in its report (activities/quiz_link.py).
QUIZ_HOST = next(u.email for u in DEMO_USERS if u.role == Role.TEACHER)
HOSTED_QUIZ_TITLE = "Квиз ко Дню качества «Знак качества: что за ним стоит»"


def build(ctx: DemoContext) -> dict[str, int]:
    rng = random.Random(ctx.seed * 31 + 7)
    types = {t.code: t for t in ActivityType.objects.all()}
    organisations = list(Organisation.objects.filter(status=Organisation.Status.ACTIVE, authority="")
                         .exclude(sector="government").select_related("region").order_by("pk"))
    made = 0
    campaigns = list(Campaign.objects.filter(year__in=[ctx.today.year - 1, ctx.today.year]).order_by("year"))
    for campaign in campaigns:
        current = campaign.year == ctx.today.year
        made += _campaign(ctx, rng, campaign, organisations, types, current=current)
    return {"мероприятий": made}


def _campaign(ctx: DemoContext, rng: random.Random, campaign: Campaign, organisations: list[Organisation],
              types: dict[str, ActivityType], *, current: bool) -> int:
    now = timezone.now()
    seen_states: dict[int, set[str]] = {}
    activities: list[Activity] = []
    for org in organisations:
        if rng.random() > 0.6:
            continue
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            code = rng.choice(KIND_TYPES.get(org.kind, ["other"]))
            kind = types[code]
            if not kind.allows(org.sector):
                continue
            missing = [s for s in EVERY_STATE if s not in seen_states.setdefault(org.region_id, set())]
            if current:
                state = missing[0] if missing else rng.choices(*zip(*STATE_WEIGHTS, strict=True))[0]
            else:
                state = rng.choices([S.APPROVED, S.RETURNED, S.CANCELLED], [90, 3, 7])[0]
            seen_states[org.region_id].add(state)
            activities.append(_activity(rng, campaign, org, kind, state, now))
    if current:
        activities.extend(_hosted_quiz(rng, campaign, types["quiz"], now))
    # The import's bulk path (COPY on PostgreSQL); the tallies are rebuilt once by the analytics step.
    fields = [f.attname for f in Activity._meta.concrete_fields  # created/updated times: filled by bulk_insert
              if not (f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))]
    with transaction.atomic():
        for start in range(0, len(activities), 5000):
            chunk = activities[start:start + 5000]
            ids = bulk_insert(Activity, [{name: _plain(getattr(a, name)) for name in fields} for a in chunk], now=now)
            for a, pk in zip(chunk, ids, strict=True):
                a.pk = pk
            ctx.on_progress(min(start + 5000, len(activities)), len(activities), f"Мероприятия {campaign.year}")
        bulk_insert(ActivityEvent, [event for a in activities for event in _history(a)], now=now)
    return len(activities)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _history(a: Activity) -> list[dict[str, Any]]:
    """The events the activity's state implies, as rows for the bulk insert."""
    events = [{"activity_id": a.pk, "to_status": S.PLANNED.value}]
    if a.status in {S.SUBMITTED, S.APPROVED, S.RETURNED}:
        events.append({"activity_id": a.pk, "from_status": S.PLANNED.value, "to_status": S.SUBMITTED.value})
    if a.status in {S.APPROVED, S.RETURNED}:
        events.append({"activity_id": a.pk, "from_status": S.SUBMITTED.value, "to_status": _plain(a.status),
                       "comment": a.review_comment})
    if a.status == S.CANCELLED:
        events.append({"activity_id": a.pk, "from_status": S.PLANNED.value, "to_status": S.CANCELLED.value})
    return events


def _activity(rng: random.Random, campaign: Campaign, org: Organisation, kind: ActivityType, state: str,
              now: dt.datetime) -> Activity:
    day = campaign.week_start + dt.timedelta(days=rng.randint(0, 4))
    grades = rng.choice(["1–4", "5–7", "8–9", "10–11"])
    title = rng.choice(TITLES[kind.code]).format(grades=grades)
    reported = state in {S.SUBMITTED, S.APPROVED, S.RETURNED}
    counts = dict.fromkeys(CATEGORY_FIELDS, 0)
    if reported:
        for field in kind.categories:
            if rng.random() < 0.7:
                counts[field] = rng.randint(5, 120 if field != "customers" else 600)
        if kind.categories and not any(counts.values()):
            counts[kind.categories[0]] = rng.randint(10, 90)
    deadline = campaign.deadline_at(org.region)
    submitted_at = None
    late = False
    if reported:
        latest = min(now, deadline + dt.timedelta(days=5))
        earliest = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(10), tzinfo=org.region.zone)
        span = max((latest - earliest).total_seconds(), 3600)
        submitted_at = earliest + dt.timedelta(seconds=rng.uniform(0, span))
        late = submitted_at > deadline
    is_public = kind.code in PUBLIC_TYPES and rng.random() < 0.8
    return Activity(
        campaign=campaign, organisation=org, region_id=org.region_id, sector=org.sector, type=kind, title=title,
        starts_on=day, ends_on=day, format=rng.choice(["in_person", "in_person", "in_person", "online", "hybrid"]),
        audience=f"{grades} классы" if org.sector == "education" else "сотрудники и покупатели",
        venue=f"{org.municipality}, {org.address or 'основная площадка'}" if is_public else "",
        expected_participants=rng.randint(20, 200), is_public=is_public,
        description=("Провели мероприятие по материалам Роскачества, обсудили маркировку и Знак качества."
                     if reported else ""),
        links=[f"https://vk.com/club{rng.randint(10000, 99999999)}?w=wall-{rng.randint(1, 999999)}"]
        if reported else [],
        consent_on_file=reported and rng.random() < 0.7, propose_best_practice=reported and rng.random() < 0.1,
        status=state, submitted_at=submitted_at, is_late=late,
        reviewed_at=submitted_at + dt.timedelta(days=2) if state in {S.APPROVED, S.RETURNED} and submitted_at else None,
        review_comment=rng.choice(COMMENTS) if state == S.RETURNED else "",
        source=Activity.Source.DEMO, **counts,
    )


def _hosted_quiz(rng: random.Random, campaign: Campaign, kind: ActivityType, now: dt.datetime) -> list[Activity]:
    """The demo teacher's planned quiz on Quality Day (none when the teacher has no organisation)."""
    assignment = (RoleAssignment.objects.filter(user__email=QUIZ_HOST, role=Role.TEACHER, organisation__isnull=False)
                  .select_related("organisation__region").first())
    if assignment is None or assignment.organisation is None:
        return []
    activity = _activity(rng, campaign, assignment.organisation, kind, S.PLANNED, now)
    activity.title, activity.starts_on, activity.ends_on = HOSTED_QUIZ_TITLE, campaign.quality_day, campaign.quality_day
    activity.format, activity.audience, activity.expected_participants = "in_person", "5–9 классы", 60
    return [activity]


def wipe() -> None:
    RegionalReport.objects.all().delete()
    Activity.objects.all().delete()
