"""Demo best practices (published, under review, with changes requested, one rejected) and the
Kirov bakery's public open day and factory tour for this year's listing."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from qualityweek.activities import services as activity_services
from qualityweek.activities.models import Activity, ActivityType, Photo
from qualityweek.activities.photos import services as photo_services
from qualityweek.campaigns.models import Campaign
from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext
from qualityweek.directory.models import Organisation

from . import demo_images, search
from .models import BestPractice, ProblemReport
from .services import search_text

STORIES = [
    ("Урок качества с дегустацией: учимся читать этикетку",
     "Учащиеся сравнили составы трёх марок молока, разобрали маркировку «Честный знак» и Знак качества, "
     "а затем провели слепую дегустацию. Родители помогли подготовить продукты.",
     "Каждый класс составил памятку покупателя; памятки разместили на сайте школы."),
    ("Экскурсия на хлебозавод: от зерна до буханки",
     "Старшеклассники прошли по цехам предприятия, увидели лабораторию входного контроля муки и "
     "поговорили с технологами о том, как устроена система качества.",
     "Пятеро выпускников записались на профориентационную практику на предприятии."),
    ("Конкурс «Лидер качества месяца» в цехах",
     "В каждом цехе сотрудники голосовали за коллегу, который предложил лучшее улучшение. Победителей "
     "наградили в День качества при всём коллективе.",
     "Собрано 37 предложений по улучшению, 12 уже внедрены."),
    ("Квиз «Эксперты качества» для всей параллели",
     "Команды пятиклассников отвечали на вопросы о стандартах, сроках годности и защите прав "
     "потребителей. Вопросы подготовили старшеклассники.",
     "В квизе участвовали 6 команд; лучшие вопросы вошли в методическую копилку школы."),
]


def build(ctx: DemoContext) -> dict[str, int]:
    rng = random.Random(ctx.seed * 13 + 5)
    _kirov_events(ctx)
    approved = list(Activity.objects.filter(status=Activity.Status.APPROVED, source=Activity.Source.DEMO)
                    .order_by("pk").values_list("pk", flat=True))
    rng.shuffle(approved)  # ids only: the same draw, without loading every approved activity
    chosen = Activity.objects.select_related("organisation", "region", "type").in_bulk(approved[:180])
    picked = [chosen[pk] for pk in approved[:180]]
    now = timezone.now()
    practices = []
    for i, activity in enumerate(picked):
        title, story, results = STORIES[i % len(STORIES)]
        status = (BestPractice.Status.REJECTED if i == 0 else BestPractice.Status.CHANGES if i % 17 == 1
                  else BestPractice.Status.NOMINATED if i % 11 == 2 else BestPractice.Status.PUBLISHED)
        practice = BestPractice(
            activity=activity, title=f"{title} ({activity.organisation.municipality})", story=story,
            results=results, status=status,
            editor_comment={"rejected": "Практика повторяет уже опубликованную.",
                            "changes": "Добавьте, пожалуйста, результаты и фотографии."}.get(status, ""),
            published_at=now - dt.timedelta(hours=i) if status == BestPractice.Status.PUBLISHED else None)
        practice.search_text = search_text(practice)
        practices.append(practice)
    BestPractice.objects.bulk_create(practices)
    search.reindex(BestPractice.objects.all())
    published = [p.activity for p in practices if p.status == BestPractice.Status.PUBLISHED]
    photos = _photos(ctx, published[:PHOTO_PRACTICES])
    return {"практик": len(practices), "фотографий": photos}


def _kirov_events(ctx: DemoContext) -> None:
    """The demo company opens its doors during this year's Quality Week (seed 004's invitation)."""
    campaign = Campaign.objects.filter(year=ctx.today.year).first()
    bakery = Organisation.objects.filter(name="АО «Вятский хлебокомбинат»").first()
    if campaign is None or bakery is None:
        return
    for code, title, offset in [("open_day", "День открытых дверей на Вятском хлебокомбинате", 3),
                                ("factory_tour", "Экскурсия на производство «Как пекут хлеб»", 1)]:
        day = campaign.quality_day + dt.timedelta(days=offset - 2)
        activity_services.plan_activity(
            actor=Actor.system(), campaign=campaign, organisation=bakery, type=ActivityType.objects.get(code=code),
            title=title, starts_on=day, ends_on=day, format="in_person", audience="жители Кирова, школьники",
            venue="г. Киров, ул. Производственная, 12", is_public=True, expected_participants=80)


PHOTO_PRACTICES = 6


def _photos(ctx: DemoContext, practice_activities: list[Activity]) -> int:
    """Generated pictures for the first published practices and the bakery's public events, put
    through the same pipeline as an upload (quarantine, re-encode, thumbnail) with consents on file."""
    events = list(Activity.objects.filter(organisation__name="АО «Вятский хлебокомбинат»", is_public=True,
                                          campaign__year=ctx.today.year).order_by("pk"))
    made = 0
    for i, activity in enumerate([*practice_activities, *events]):
        Activity.objects.filter(pk=activity.pk).update(consent_on_file=True)
        for j in range(2 if i % 2 == 0 else 1):
            name = f"{photo_services.QUARANTINE}/{uuid.uuid4().hex}"
            files.store_bytes(name, demo_images.picture(ctx.seed * 101 + i * 7 + j))
            photo = Photo.objects.create(activity=activity, upload=name)
            if photo_services.process_photo(photo_id=photo.pk) is not None:
                made += 1
    return made


def wipe() -> None:
    for names in Photo.objects.values_list("image", "thumbnail"):  # the activities go next, every one
        for name in filter(None, names):
            files.delete(name)
    ProblemReport.objects.all().delete()
    BestPractice.objects.all().delete()
    search.clear_index()
