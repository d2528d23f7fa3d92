"""Demo outreach: letterheads and registers, the seed letters as templates, heads of the 178
regional authorities, the materials library (real files, generated here), a few requests, and the
2026 business letter's history — sent to the industry authorities and cascaded by Kirov as in seed 004
— so the tracking table and the funnel have something to show on the first run.

The letter of seed 000 is left for the operator to recreate from its template and send."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import typst
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from qualityweek.campaigns.models import Campaign
from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext
from qualityweek.directory.demo import FEMALE_NAMES, MALE_NAMES, SURNAMES
from qualityweek.directory.models import Organisation, Region, User

from . import morph, seed_texts, services
from .docx_template import FONT_DIR
from .models import (
    Audience,
    Contact,
    Delivery,
    Dispatch,
    Letter,
    LetterTemplate,
    Material,
    MaterialAudience,
    Register,
    Request,
    RequestReply,
    Sender,
)

SYSTEM = Actor.system()


def build(ctx: DemoContext) -> dict[str, int]:
    rng = random.Random(ctx.seed + 5)
    campaign = Campaign.objects.filter(year=ctx.today.year).first()
    if campaign is None:
        return {}
    operator = services.save_sender(actor=SYSTEM, **seed_texts.OPERATOR)
    # The operator's paper register for the year had reached № 2172 before the platform took over; the
    # business letter below takes № 2173-РСК, so the letter of seed 000 recreated on the demo is № 2174-РСК.
    services.save_register(actor=SYSTEM, sender=operator, year=campaign.year, pattern="{n}-РСК", next_number=2173)
    kirov_industry = Organisation.objects.get(region__code="43", authority=Organisation.Authority.INDUSTRY)
    kirov_sender = services.save_sender(actor=SYSTEM, organisation=kirov_industry, **seed_texts.KIROV_INDUSTRY)
    services.save_register(actor=SYSTEM, sender=kirov_sender, year=campaign.year, pattern="{n}-01-08", next_number=412)
    kirov_edu = Organisation.objects.get(region__code="43", authority=Organisation.Authority.EDUCATION)
    services.save_sender(
        actor=SYSTEM, organisation=kirov_edu, name="МИНИСТЕРСТВО ОБРАЗОВАНИЯ\nКИРОВСКОЙ ОБЛАСТИ",
        short_name="Минобразования Кировской области", address="ул. Карла Либкнехта, 69, г. Киров, 610019",
        phone="(8332) 27-27-34", email=kirov_edu.email, signer_position="Министр образования Кировской области",
        signer_name="О.Н. Лебедева", executor_name="Лебедева Ольга Николаевна", executor_phone="(8332) 27-27-34")
    templates = _templates()
    heads = _heads(rng)
    materials = _materials(campaign)
    _history(ctx, campaign, operator, templates, rng)
    requests = _requests()
    return {"шаблонов писем": len(templates), "руководителей органов": heads, "материалов": materials,
            "обращений": requests}


def wipe() -> None:
    RequestReply.objects.all().delete()
    Request.objects.all().delete()
    Delivery.objects.all().delete()
    Dispatch.objects.all().delete()
    Letter.objects.filter(parent__isnull=False).delete()
    Letter.objects.all().delete()
    Register.objects.all().delete()
    Sender.objects.all().delete()
    LetterTemplate.objects.all().delete()
    MaterialAudience.objects.all().delete()
    Material.objects.all().delete()
    Contact.objects.all().delete()


def _templates() -> dict[str, LetterTemplate]:
    t = seed_texts
    rows = {
        "education": ("Письмо органам управления образованием (№ 2174-РСК)", t.TITLE_EDUCATION,
                      t.ADDRESSEE_EDUCATION, t.TEMPLATE_EDUCATION),
        "business": ("Письмо министерствам промышленности регионов", t.TITLE_BUSINESS, t.ADDRESSEE_BUSINESS,
                     t.TEMPLATE_BUSINESS),
        "cascade_business": ("Каскад: предприятиям региона (как в Кировской области)", t.TITLE_CASCADE_BUSINESS,
                             t.ADDRESSEE_CASCADE_BUSINESS, t.TEMPLATE_CASCADE_BUSINESS),
        "cascade_education": ("Каскад: образовательным организациям региона", t.TITLE_CASCADE_EDUCATION,
                              t.ADDRESSEE_CASCADE_EDUCATION, t.TEMPLATE_CASCADE_EDUCATION),
    }
    salutations = {"cascade_business": "Уважаемые предприниматели!"}
    return {
        audience: services.save_template(actor=SYSTEM, name=name, audience=audience, title=title, addressee=addressee,
                                         salutation=salutations.get(audience, "Уважаемые коллеги!"), body=body)
        for audience, (name, title, addressee, body) in rows.items()
    }


def _heads(rng: random.Random) -> int:
    """A head (position and name) for every regional authority, for personal letters."""
    contacts = []
    for org in Organisation.objects.exclude(authority="").order_by("region__code", "authority"):
        surname = rng.choice(SURNAMES)
        if rng.random() < 0.4:
            first, patronymic = rng.choice(FEMALE_NAMES)
            surname += "а"
        else:
            first, patronymic = rng.choice(MALE_NAMES)
        contacts.append(Contact(organisation=org, position=morph.head_position(org.name), last_name=surname,
                                first_name=first, patronymic=patronymic))
    Contact.objects.bulk_create(contacts)
    return len(contacts)


# --- Materials: real files made here ---------------------------------------------------------------

BRAND_BLUE, BRAND_RED = (11, 78, 162), (200, 16, 46)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _banner(width: int, height: int, campaign: Campaign, headline: str) -> bytes:
    img = Image.new("RGB", (width, height), BRAND_BLUE)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, height - max(height // 12, 4), width, height], fill=BRAND_RED)
    day = f"{campaign.quality_day.day} ноября {campaign.year}"
    big = max(min(height // 5, width // 10), 14)
    lines = [(headline, _font(big, True)), (day, _font(max(big * 2 // 3, 11))),
             (f"«{campaign.motto}»", _font(max(big // 2, 10)))]
    if width > 3 * height:  # a leaderboard: one line
        lines = [(f"{headline} — {day}", _font(max(height // 3, 12), True))]
    total = sum(f.getbbox(t)[3] + height // 20 for t, f in lines)
    y = (height - total) // 2
    for text, font in lines:
        box = font.getbbox(text)
        draw.text(((width - (box[2] - box[0])) // 2, y), text, font=font, fill="white")
        y += box[3] + height // 20
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _pdf(title: str, paragraphs: list[str], landscape: bool = False) -> bytes:
    data = json.dumps({"title": title, "paragraphs": paragraphs}, ensure_ascii=False)
    source = (
        '#let d = json(bytes(sys.inputs.data))\n'
        f'#set page(paper: "a4", flipped: {"true" if landscape else "false"}, margin: 20mm)\n'
        '#set text(font: "Liberation Serif", size: 13pt, lang: "ru")\n#set par(justify: true)\n'
        '#text(size: 20pt, weight: "bold", fill: rgb("#0b4ea2"))[#d.title]\n#v(6mm)\n'
        '#for p in d.paragraphs [#p #parbreak()]\n'
    )
    pdf = typst.compile(source.encode(), font_paths=[str(FONT_DIR)], ignore_system_fonts=True,  # type: ignore[misc]
                        sys_inputs={"data": data})
    if not isinstance(pdf, bytes):
        raise TypeError(f"expected bytes, got {type(pdf).__name__}")
    return pdf


LESSONS = [
    (Audience.PRESCHOOL, "Урок качества для дошкольников: «Что такое хорошая вещь?»",
     ["Цель: познакомить детей с понятием качества на примере игрушек и продуктов.",
      "Ход занятия (20 минут): рассматриваем две игрушки, ищем отличия, обсуждаем, почему одна прослужит дольше.",
      "Игра «Знак качества»: дети находят на упаковках знаки и рассказывают, что они означают."]),
    (Audience.PRIMARY, "Урок качества для 1–4 классов: «Мы выбираем качество»",
     ["Цель: научить младших школьников замечать признаки качества товаров и услуг.",
      "Ход урока (40 минут): беседа, работа с упаковками, мини-квиз из 8 вопросов, рисунок «Качественная вещь».",
      "Итог: ребята составляют памятку «Как выбрать качественный товар» для родителей."]),
    (Audience.MIDDLE, "Урок качества для 5–9 классов: «Качество вокруг нас»",
     ["Цель: показать, как устроена национальная система качества и зачем нужны стандарты.",
      "Ход урока (45 минут): мини-лекция, разбор маркировки, работа в группах над кейсом «Производитель и покупатель».",
      "Домашнее задание: сравнить два товара одной категории по пяти признакам качества."]),
    (Audience.SENIOR, "Урок качества для 10–11 классов: «Качество как выбор и профессия»",
     ["Цель: рассказать о профессиях в сфере качества и о правах потребителя.",
      "Ход урока (45 минут): дискуссия, разбор реальных исследований товаров, интеллектуальная игра.",
      "Итог: проект «Как улучшить качество услуги в моём городе»."]),
    (Audience.COLLEGE, "Классный час для колледжей: «Бережливое производство и качество»",
     ["Цель: познакомить студентов с инструментами управления качеством на производстве.",
      "Ход занятия: 5S, карта потока создания ценности, разбор ошибок на примере учебной мастерской."]),
]


def _materials(campaign: Campaign) -> int:
    made = 0

    def add(kind: str, title: str, audiences: list[str], *, upload: tuple[str, bytes] | None = None, url: str = "",
            description: str = "") -> None:
        nonlocal made
        services.save_material(actor=SYSTEM, campaign=campaign, kind=kind, title=title, description=description,
                               url=url, is_published=True, audiences=audiences, upload=upload)
        made += 1

    for audience, title, paragraphs in LESSONS:
        add(Material.Kind.LESSON_PLAN, title, [audience], upload=(f"lesson-{audience}.pdf", _pdf(title, paragraphs)))
    add(Material.Kind.PRESENTATION, "Презентация к уроку качества", [Audience.MIDDLE, Audience.SENIOR],
        upload=("lesson-slides.pdf", _pdf("Всероссийский урок качества", [
            "Что такое качество?", "Национальная система качества России", "Знак качества: как он появляется на "
            "товаре", "Как выбирать товары и услуги"], landscape=True)))
    add(Material.Kind.PRESENTATION, "День качества для предприятий: идеи активаций", [Audience.BUSINESS],
        upload=("business-ideas.pdf", _pdf("Идеи для Недели качества", [
            "Дни открытых дверей и экскурсии на производство.", "Программы привилегий и специальные предложения.",
            "Конкурс для сотрудников «Лидер качества (месяца, года)».", "Оформление в фирменном стиле Дня качества."],
            landscape=True)))
    add(Material.Kind.VIDEO, "Видеоуроки и методические материалы",
        [Audience.PRIMARY, Audience.MIDDLE, Audience.SENIOR],
        url="https://kachestvo.pro/academy/lessons/", description="Видео к уроку качества на сайте академии.")
    add(Material.Kind.VIDEO, "Видеоролик о Дне качества", [Audience.EVERYONE], url="https://rskrf.ru/qualityday/")
    for width, height, label in ((240, 400, "вертикальный"), (728, 90, "горизонтальный"), (1200, 630, "для соцсетей")):
        add(Material.Kind.BANNER, f"Баннер «День качества», {label}", [Audience.EVERYONE],
            upload=(f"banner-{width}x{height}.png", _banner(width, height, campaign, "День качества")))
    add(Material.Kind.GREETING, "Поздравление с Днём качества", [Audience.EVERYONE],
        upload=("greeting.png", _banner(1080, 1080, campaign, "С Днём качества!")))
    add(Material.Kind.BRAND, "Элементы фирменного стиля: плашка «Неделя качества»", [Audience.BUSINESS],
        upload=("brand-strip.png", _banner(1600, 200, campaign, "Неделя качества")))
    return made


# --- The business letter's history -----------------------------------------------------------------

def _history(ctx: DemoContext, campaign: Campaign, operator: Sender, templates: dict[str, LetterTemplate],
             rng: random.Random) -> None:
    """The operator's business letter was sent to all industry authorities on 20 October; Kirov read it and
    forwarded it to its businesses on 27 October. The demo records those outcomes (no mail is sent again)."""
    sent_on = dt.date(campaign.year, 10, 20)
    if ctx.today < sent_on + dt.timedelta(days=7):
        return
    operator_user = User.objects.filter(roles__role="operator_admin").first()
    letter = services.create_letter(actor=SYSTEM, sender=operator, campaign=campaign, template=templates["business"],
                                    addressing=Letter.Addressing.PERSONAL)
    letter.created_by = operator_user
    letter.save(update_fields=["created_by"])
    letter = services.register_letter(actor=SYSTEM, letter=letter, date=sent_on)
    authorities = list(Organisation.objects.filter(authority=Organisation.Authority.INDUSTRY)
                       .select_related("head", "region").order_by("region__code"))
    moment = timezone.make_aware(dt.datetime.combine(sent_on, dt.time(11, 0)))
    dispatch = Dispatch.objects.create(letter=letter, audience=Dispatch.Audience.INDUSTRY_AUTHORITIES,
                                       description="Все министерства промышленности и экономики регионов",
                                       total=len(authorities), created_by=operator_user)
    rows = []
    for org in authorities:
        addressee, salutation = services.personal_addressee(letter, org)
        acknowledged = org.region.code == "43" or rng.random() < 0.55
        rows.append(Delivery(
            letter=letter, organisation=org, dispatch=dispatch, email=org.email, addressee=addressee,
            salutation=salutation, attempts=1, sent_at=moment,
            status=Delivery.Status.ACKNOWLEDGED if acknowledged else Delivery.Status.SENT,
            acknowledged_at=moment + dt.timedelta(hours=rng.randint(2, 72)) if acknowledged else None))
    Delivery.objects.bulk_create(rows)

    kirov_user = User.objects.filter(email="kirov.business@demo.qualityweek.ru").first()
    actor = Actor(user=kirov_user) if kirov_user else SYSTEM
    cascade = services.cascade_letter(actor=actor, parent=letter, template=templates["cascade_business"])
    cascade = services.register_letter(actor=actor, letter=cascade, date=sent_on + dt.timedelta(days=7))
    businesses = list(Organisation.objects.filter(region__code="43", sector="business", authority="",
                                                  status=Organisation.Status.ACTIVE).order_by("name"))
    forwarded_at = moment + dt.timedelta(days=7)
    dispatch = Dispatch.objects.create(letter=cascade, audience=Dispatch.Audience.ORGANISATIONS,
                                       description="Организации по фильтру: предприятия Кировской области",
                                       total=len(businesses), created_by=kirov_user)
    Delivery.objects.bulk_create([
        Delivery(letter=cascade, organisation=org, dispatch=dispatch, email=org.email,
                 addressee=cascade.addressee, salutation=cascade.salutation, attempts=1, sent_at=forwarded_at,
                 status=Delivery.Status.ACKNOWLEDGED if i % 3 else Delivery.Status.SENT,
                 acknowledged_at=forwarded_at + dt.timedelta(hours=5 + i) if i % 3 else None)
        for i, org in enumerate(businesses)
    ])


def _requests() -> int:
    regions = list(Region.objects.order_by("code"))
    samples = [
        ("Елена Кузнецова", "school27@demo-org.example.ru", "МБОУ СОШ № 27 г. Киров", "43", Request.Topic.MOCKUPS,
         "Здравствуйте! Пришлите, пожалуйста, баннер Дня качества в формате 1920×1080 для экрана в холле школы."),
        ("Сергей Волков", "info@vyatka-bread.example.ru", "АО «Вятский хлебокомбинат»", "43", Request.Topic.ADVICE,
         "Хотим провести день открытых дверей на производстве. Как зарегистрировать мероприятие на платформе?"),
        ("Ирина Орлова", "orlova@school.example.ru", "ГБОУ Школа № 1535", "77", Request.Topic.MATERIALS,
         "Есть ли сценарий урока качества для 2 класса на 30 минут?"),
    ]
    operator = User.objects.filter(roles__role="operator_editor").first()
    for i, (name, email, org, code, topic, message) in enumerate(samples):
        req = Request.objects.create(name=name, email=email, organisation_name=org,
                                     region=next(r for r in regions if r.code == code), topic=topic, message=message)
        if i == 2 and operator:
            RequestReply.objects.create(request=req, author=operator, status=RequestReply.Status.SENT,
                                        sent_at=timezone.now(), body="Добрый день! Сценарий для начальной школы — "
                                        "в библиотеке материалов: «Урок качества для 1–4 классов».")
            req.status, req.assignee = Request.Status.ANSWERED, operator
            req.save(update_fields=["status", "assignee"])
    return len(samples)
