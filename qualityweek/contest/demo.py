"""Demo data of the contest (a step of qualityweek/demo/steps.py).

- The current year's contest is **open for applications** (the window runs from 20 days before the
  demo's «today» to 10 days after it) with three nominations and early review on: the Kirov regional
  jury already scores what has been submitted. Kirov has seven submitted applications, each scored by
  a harsh juror (Строгова: wide spread, low marks) and a lenient one (Добряков: 9–10 for almost
  everything) — see ``KIROV_2026`` for which applications swap places — plus a draft and a withdrawn
  one; other regions have drafts only (their regional rounds have nothing submitted yet, so the walk
  to the national round needs only the Kirov pools). A third Kirov juror works at АО «Вятский
  хлебокомбинат» and never sees its application; a fourth works at the company whose representative
  (``contest.newcomer@…``) has not applied yet, so the application a new user files there is hidden
  from that juror. The Kirov business coordinator chairs the Kirov round.
- The previous year's contest is finished: twelve regions, regional and national rounds, the
  national jury's one recorded conflict, winners and prize places confirmed, the winners' diplomas
  issued through «Certificates and diplomas» (the public winners page links each to its check page).

Deterministic: every choice comes from ``random.Random(ctx.seed)`` or the tables below."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.certificates import services as certificate_services
from qualityweek.certificates.sources import Subject
from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext
from qualityweek.directory import services as directory_services
from qualityweek.directory.access import forget
from qualityweek.directory.demo import DEMO_PASSWORD
from qualityweek.directory.models import Organisation, Region, Role, RoleAssignment, User

from . import scoring, selectors, services
from .models import ApplicantConflict, Application, Contest, JurorConflict, Nomination, Round, RoundResult, Score

S = Application.Status
P = Contest.Phase
REGIONS = ["43", "77", "50", "78", "16", "23", "66", "52", "54", "02", "61", "74"]
PER_POOL = 3  # applications per nomination and region
ADVANCE = 2

# (e-mail, last, first, patronymic, label, round, region code, (offset, spread) of their marks on 0..1)
DEMO_JURORS = [
    ("juror.kirov.strict@demo.qualityweek.ru", "Строгова", "Марина", "Викторовна",
     "Жюри регионального тура, Киров (строгая)", Round.REGIONAL, "43", (-0.15, 0.85)),
    ("juror.kirov.kind@demo.qualityweek.ru", "Добряков", "Павел", "Андреевич",
     "Жюри регионального тура, Киров (мягкий)", Round.REGIONAL, "43", (0.7, 0.25)),
    ("juror.kirov.bread@demo.qualityweek.ru", "Хлебникова", "Ольга", "Петровна",
     "Жюри регионального тура, Киров (работает в АО «Вятский хлебокомбинат»)", Round.REGIONAL, "43", (0.2, 0.7)),
    ("juror.kirov.colleague@demo.qualityweek.ru", "Сослуживцев", "Роман", "Ильич",
     "Жюри регионального тура, Киров (работает в компании contest.newcomer@…)", Round.REGIONAL, "43", (0.2, 0.7)),
    ("juror.national@demo.qualityweek.ru", "Качествова", "Наталья", "Игоревна",
     "Жюри национального тура (заявлен конфликт интересов)", Round.NATIONAL, "", (0.1, 0.8)),
    ("juror.national2@demo.qualityweek.ru", "Мерилов", "Игорь", "Степанович",
     "Жюри национального тура", Round.NATIONAL, "", (0.3, 0.6)),
    ("juror.national3@demo.qualityweek.ru", "Эталонова", "Вера", "Олеговна",
     "Жюри национального тура", Round.NATIONAL, "", (0.0, 0.9)),
]
NEWCOMER = ("contest.newcomer@demo.qualityweek.ru", "Ветров", "Кирилл", "Олегович",
            "Представитель предприятия (Киров), ещё не подавал заявку на конкурс")
DEMO_LOGINS = [(email, label) for email, *_, label, _, _, _ in DEMO_JURORS] + [(NEWCOMER[0], NEWCOMER[4])]

TEXT = {"key": "summary", "label": "Описание практики и её результатов", "kind": "text", "min_length": 50,
        "max_length": 3000}
LINK = {"key": "link", "label": "Ссылка на публикацию о практике", "kind": "link", "required": False}
FILE = {"key": "presentation", "label": "Презентация", "kind": "file", "required": False, "max_size_mb": 10}
NOMINATIONS: list[dict[str, Any]] = [
    {"title": "Лучшая практика Недели качества", "sectors": [], "for_person": False,
     "description": "Мероприятие организации в рамках Всемирной недели качества, давшее измеримый результат.",
     "fields": [TEXT, {"key": "participants", "label": "Сколько человек участвовало", "kind": "number",
                       "min_value": 1, "max_value": 1_000_000},
                {"key": "format", "label": "Формат", "kind": "choice", "choices": ["Очно", "Онлайн", "Смешанный"]},
                LINK, FILE],
     "criteria": [("Результативность", 3), ("Охват", 2), ("Новизна", 1)]},
    {"title": "Лидер качества года", "sectors": ["business"], "for_person": True,
     "description": "Специалист предприятия, чья работа заметно повысила качество продукции или услуг.",
     "fields": [TEXT, {"key": "years", "label": "Стаж на предприятии, лет", "kind": "number", "min_value": 0,
                       "max_value": 70}, LINK],
     "criteria": [("Вклад в качество", 3), ("Наставничество", 1), ("Измеримые результаты", 2)]},
    {"title": "Школа качества", "sectors": ["education"], "for_person": False,
     "description": "Образовательная организация, системно проводящая уроки качества.",
     "fields": [TEXT, {"key": "lessons", "label": "Сколько уроков качества проведено за год", "kind": "number",
                       "min_value": 0, "max_value": 10_000}, LINK],
     "criteria": [("Системность", 2), ("Вовлечённость учеников", 2), ("Материалы", 1)]},
]
SUMMARY = ("Провели серию открытых мероприятий для жителей и сотрудников: экскурсии, мастер-классы и уроки "
           "качества. Итоги опубликованы, отзывы участников собраны и учтены в плане на следующий год.")
PEOPLE = ["Иванова Анна Сергеевна", "Петров Алексей Николаевич", "Смирнова Елена Викторовна",
          "Кузнецов Дмитрий Олегович", "Соколова Мария Андреевна", "Попов Игорь Владимирович"]
COMMENTS = ["Сильная практика, результаты измеримы.", "Не хватает данных о результатах.",
            "Хороший охват, но мало новизны.", "Образцовая работа, рекомендую.", "Описание слишком общее."]


def _dates(year: int, today: dt.date, current: bool) -> dict[str, dt.date]:
    if current:  # applications open now
        days = {"applications_open": -20, "applications_close": 10, "regional_review_until": 25,
                "regional_results_on": 30, "national_review_until": 45, "results_on": 55}
        return {name: today + dt.timedelta(days=n) for name, n in days.items()}
    return {"applications_open": dt.date(year, 8, 1), "applications_close": dt.date(year, 9, 30),
            "regional_review_until": dt.date(year, 10, 15), "regional_results_on": dt.date(year, 10, 20),
            "national_review_until": dt.date(year, 11, 5), "results_on": dt.date(year, 11, 12)}


def _jurors(regions: dict[str, Region]) -> dict[str, list[User]]:
    """The demo jurors (with logins) and two plain jurors for every other region: by region code, and
    "national"."""
    password = make_password(DEMO_PASSWORD)
    out: dict[str, list[User]] = {}
    for email, last, first, patronymic, label, _round, code, _ in DEMO_JURORS:
        user = User.objects.create(email=email, password=password, last_name=last, first_name=first,
                                   patronymic=patronymic, position=label)
        out.setdefault(code or "national", []).append(user)
    for code in REGIONS[1:]:
        for i in (1, 2):
            user = User.objects.create(email=f"juror{i}.r{code}@demo-jury.example.ru", password=password,
                                       last_name=f"Экспертов-{i}", first_name="Пётр",
                                       position=f"Жюри регионального тура, {regions[code].short_name}")
            out.setdefault(code, []).append(user)
    return out


def _style(user: User, rng: random.Random) -> tuple[float, float]:
    for email, *_, style in DEMO_JURORS:
        if email == user.email:
            return style
    return rng.uniform(0.0, 0.4), rng.uniform(0.5, 0.9)


def _assign(contest: Contest, jurors: dict[str, list[User]], regions: dict[str, Region]) -> None:
    rows = []
    for code, users in jurors.items():
        for user in users:
            national = code == "national"
            rows.append(RoleAssignment(user=user, role=Role.JUROR, contest_id=contest.pk,
                                       contest_round=Round.NATIONAL if national else Round.REGIONAL,
                                       region=None if national else regions[code]))
    RoleAssignment.objects.bulk_create(rows)
    for users in jurors.values():
        for user in users:
            forget(user)


def _nominations(contest: Contest) -> list[Nomination]:
    out = []
    for spec in NOMINATIONS:
        criteria = [{"title": t, "weight": w, "scale_min": 1, "scale_max": 10} for t, w in spec["criteria"]]
        out.append(services.add_nomination(
            actor=Actor.system(), contest=contest, title=spec["title"], description=spec["description"],
            sectors=spec["sectors"], for_person=spec["for_person"], fields=spec["fields"], criteria=criteria))
    return out


def _candidates(nomination: Nomination, region: Region, rng: random.Random, anchor: Organisation | None,
                ) -> list[Organisation]:
    qs = Organisation.objects.filter(region=region, status=Organisation.Status.ACTIVE).exclude(
        kind=Organisation.Kind.AUTHORITY).order_by("id")
    if nomination.sectors:
        qs = qs.filter(sector__in=nomination.sectors)
    pool = list(qs[:40])
    rng.shuffle(pool)
    chosen = pool[:PER_POOL]
    if anchor is not None and nomination.admits(anchor):
        chosen = [anchor, *[o for o in chosen if o != anchor]][:PER_POOL]
    return chosen


def _applications(contest: Contest, nominations: list[Nomination], regions: dict[str, Region],
                  rng: random.Random, anchors: dict[str, Organisation]) -> dict[int, float]:
    """Create the applications; returns each submitted one's hidden quality (0..1)."""
    now = timezone.now()
    quality: dict[int, float] = {}
    for n in nominations:
        for code in REGIONS:
            for org in _candidates(n, regions[code], rng, anchors.get(code)):
                person = rng.choice(PEOPLE) if n.for_person else ""
                status = rng.choices([S.REGIONAL_REVIEW, S.DRAFT, S.WITHDRAWN], weights=[12, 1, 1])[0]
                if org in anchors.values() or (code == "43" and n.order == 0):  # the pool KIROV_TASTE describes
                    status = S.REGIONAL_REVIEW
                answers: dict[str, Any] = {"summary": SUMMARY, "link": f"https://{org.pk}.example.ru/news/quality"}
                for field in n.fields.filter(kind="number"):
                    answers[field.key] = rng.randint(1, 60) if field.key == "years" else rng.randint(20, 900)
                for field in n.fields.filter(kind="choice"):
                    answers[field.key] = rng.choice(field.choices)
                app = Application.objects.create(
                    contest=contest, nomination=n, organisation=org, region=org.region, sector=org.sector,
                    title=f"{n.title}: {person or org.name}"[:300], nominee_name=person,
                    nominee_position="Инженер по качеству" if person else "",
                    nominee_consent_at=now if person else None, answers=answers, status=status,
                    submitted_at=None if status == S.DRAFT else now,
                    withdrawn_at=now if status == S.WITHDRAWN else None)
                if status == S.REGIONAL_REVIEW:
                    quality[app.pk] = 0.9 if org in anchors.values() else rng.random()
    return quality


# How the Kirov jurors see the three applications of the first nomination (in the order they were filed,
# the bakery's first): the strict juror spreads her marks wide, the lenient one bunches his high, and
# they disagree — so the raw mean follows the strict juror while the normalised ranking weighs both alike.
KIROV_TASTE: dict[str, list[float | None]] = {
    "juror.kirov.strict@demo.qualityweek.ru": [0.95, 0.05, 0.65],
    "juror.kirov.kind@demo.qualityweek.ru": [0.5, 1.0, 0.2],
    "juror.kirov.bread@demo.qualityweek.ru": [None, None, None],  # leaves this nomination to the other two
}


def _mark(nomination: Nomination, app_id: int, juror: User, q: float, round_: str, style: tuple[float, float],
          rng: random.Random, seen: float | None = None) -> Score:
    offset, spread = style
    if seen is None:  # jurors disagree: each sees the application their way
        seen = min(1.0, max(0.0, q + rng.gauss(0, 0.2)))
    criteria = list(nomination.criteria.all())
    noise = 0.6 if juror.email not in KIROV_TASTE or round_ != Round.REGIONAL else 0.0
    values = {c.pk: max(1, min(10, round(1 + 9 * (offset + spread * seen) + rng.uniform(-noise, noise))))
              for c in criteria}
    scales = {c.pk: scoring.Scale(weight=c.weight, low=c.scale_min, high=c.scale_max) for c in criteria}
    return Score(application_id=app_id, juror=juror, round=round_, values={str(k): v for k, v in values.items()},
                 total=round(scoring.weighted_total(values, scales), 4), comment=rng.choice(COMMENTS))


SKIP = -1.0


def _taste(apps: list[Application], juror: User, app: Application, round_: str) -> float | None:
    first = [a for a in apps if a.nomination.order == 0]
    if round_ != Round.REGIONAL or juror.email not in KIROV_TASTE or app not in first:
        return None
    taste = KIROV_TASTE[juror.email][first.index(app) % 3]
    return SKIP if taste is None else taste


def _score(apps: Iterable[Application], jurors: list[User], round_: str, quality: dict[int, float],
           rng: random.Random, share: float = 1.0) -> list[Score]:
    scores = []
    apps = sorted(apps, key=lambda a: a.pk)
    for app in apps:
        for juror in jurors:
            judged = Application.objects.filter(selectors.juror_filter(juror, round_, app.contest_id), pk=app.pk)
            seen = _taste(apps, juror, app, round_)
            if seen == SKIP or rng.random() > share or not judged.exists():
                continue
            scores.append(_mark(app.nomination, app.pk, juror, quality[app.pk], round_, _style(juror, rng), rng,
                                seen=seen))
    return Score.objects.bulk_create(scores)


def _regional_round(contest: Contest, nominations: list[Nomination], jurors: dict[str, list[User]],
                    regions: dict[str, Region], quality: dict[int, float], rng: random.Random) -> None:
    apps = list(Application.objects.filter(contest=contest, status=S.REGIONAL_REVIEW).select_related("nomination"))
    for code in REGIONS:
        _score([a for a in apps if a.region_id == regions[code].pk], jurors[code], Round.REGIONAL, quality, rng)
    Contest.objects.filter(pk=contest.pk).update(phase=P.REGIONAL_RESULTS)
    contest.refresh_from_db()
    for n in nominations:
        for code in REGIONS:
            ranked = selectors.ranking(contest, n, Round.REGIONAL, regions[code].pk)
            if ranked:
                services.confirm_regional(actor=Actor.system(), contest=contest, nomination=n, region=regions[code],
                                          advance=[r.application.pk for r in ranked[:ADVANCE]])
    services.move_phase(actor=Actor.system(), contest=contest, to=P.NATIONAL_REVIEW)
    contest.refresh_from_db()


def _national_round(contest: Contest, nominations: list[Nomination], jurors: list[User], quality: dict[int, float],
                    rng: random.Random, finish: bool) -> None:
    apps = list(Application.objects.filter(contest=contest, status=S.NATIONAL).select_related("nomination"))
    _score(apps, jurors, Round.NATIONAL, quality, rng, share=1.0 if finish else 0.5)
    if not finish:
        return
    for n in nominations:
        ranked = selectors.ranking(contest, n, Round.NATIONAL, None)
        services.confirm_national(actor=Actor.system(), contest=contest, nomination=n,
                                  places={r.application.pk: i for i, r in enumerate(ranked[:3], start=1)})
    services.move_phase(actor=Actor.system(), contest=contest, to=P.RESULTS)
    Contest.objects.filter(pk=contest.pk).update(release_comments=True)


def _contest(campaign: Campaign, today: dt.date, current: bool) -> Contest:
    d = _dates(campaign.year, today, current)
    contest = services.create_contest(
        actor=Actor.system(), campaign=campaign, min_reviews=2, advance_top=ADVANCE,
        description="Всероссийский конкурс организаций и специалистов, добившихся заметных результатов в "
                    "повышении качества. Победителей награждают на форуме «Всемирный день качества».",
        applications_open=d["applications_open"], applications_close=d["applications_close"],
        regional_review_until=d["regional_review_until"], regional_results_on=d["regional_results_on"],
        national_review_until=d["national_review_until"], results_on=d["results_on"])
    return contest


# The current year's Kirov applications and how the two scoring Kirov jurors mark them (the same mark
# on every criterion): (nomination order, who applies, harsh Строгова, lenient Добряков). The harsh
# juror spreads her marks (2–6), the lenient one gives 9 or 10 to everything, so a point from him
# weighs more than a point from her once each is calibrated on their own seven scores. In
# «Лучшая практика Недели качества» the raw mean puts the bakery (5 and 9: raw 66.7) above
# «practice-2» (3 and 10: raw 61.1), but the lenient juror's rare 10 lifts «practice-2» to the top of
# the normalised ranking (73.3 against 65.2): those two swap places. The other pools keep the raw order.
KIROV_2026: list[tuple[int, str, int, int]] = [
    (0, "bakery", 5, 9), (0, "practice-2", 3, 10), (0, "practice-3", 2, 10),
    (1, "bakery", 6, 9), (1, "leader-2", 3, 9),  # the bakery also nominates an employee
    (2, "school-1", 3, 10), (2, "school-2", 3, 9),
]
KIROV_SWAP = ("bakery", "practice-2")  # raw order bakery first; normalised order practice-2 first
NEWCOMER_ORG = "ООО «Вятская мебельная фабрика»"


def _kirov_orgs(kirov: Region, bread: Organisation) -> dict[str, Organisation]:
    """The Kirov organisations of the current contest, picked by id so the demo is the same every time
    (the newcomer's company is the demo's own, so it never has an application from another step)."""
    active = Organisation.objects.filter(region=kirov, status=Organisation.Status.ACTIVE).exclude(
        kind=Organisation.Kind.AUTHORITY).exclude(pk=bread.pk).exclude(name=NEWCOMER_ORG).order_by("id")
    business = list(active.filter(sector="business"))
    education = list(active.filter(sector="education"))
    rest = education[2:] + business[1:]
    return {"bakery": bread, "newcomer": Organisation.objects.get(region=kirov, name=NEWCOMER_ORG),
            "practice-2": rest[0], "practice-3": rest[1], "leader-2": business[0],
            "school-1": education[0], "school-2": education[1]}


# Added only when a small demo directory (``--organisations 10``) has too few Kirov organisations.
FILLERS = [("КОГОБУ «Средняя школа с углублённым изучением отдельных предметов пгт Пижанка»", "school"),
           ("МБОУ «Гимназия № 46» г. Кирова", "school"),
           ("ООО «Кировский завод металлоконструкций»", "manufacturer"),
           ("КОГПОБУ «Вятский колледж профессиональных технологий, управления и сервиса»", "college"),
           ("ООО «Вятская швейная фабрика»", "manufacturer")]


def _fill_kirov(kirov: Region, bread: Organisation) -> None:
    def enough() -> bool:
        active = Organisation.objects.filter(region=kirov, status=Organisation.Status.ACTIVE).exclude(
            kind=Organisation.Kind.AUTHORITY).exclude(pk=bread.pk).exclude(name=NEWCOMER_ORG)
        business, education = active.filter(sector="business").count(), active.filter(sector="education").count()
        return business >= 1 and education >= 2 and max(0, education - 2) + max(0, business - 1) >= 2

    for name, kind in FILLERS:
        if enough():
            return
        if not Organisation.objects.filter(region=kirov, name=name).exists():
            directory_services.create_organisation(actor=Actor.system(), name=name, kind=kind, region=kirov,
                                                   municipality="Киров")


def _newcomer_org(kirov: Region) -> Organisation:
    return directory_services.create_organisation(
        actor=Actor.system(), name=NEWCOMER_ORG, kind=Organisation.Kind.MANUFACTURER, region=kirov,
        municipality="Киров", size=180, email="info@vyatka-mebel.example.ru", website="https://vyatka-mebel.example.ru",
        address="ул. Луганская, 5, г. Киров")


def _newcomer(organisation: Organisation) -> User:
    email, last, first, patronymic, label = NEWCOMER
    user = User.objects.create(email=email, password=make_password(DEMO_PASSWORD), last_name=last,
                               first_name=first, patronymic=patronymic, position=label)
    RoleAssignment.objects.create(user=user, role=Role.ORG_REP, organisation=organisation)
    return user


def _file(contest: Contest, nomination: Nomination, org: Organisation, status: str, person: str = "") -> Application:
    now = timezone.now()
    answers: dict[str, Any] = {"summary": SUMMARY, "link": f"https://{org.pk}.example.ru/news/quality"}
    for field in nomination.fields.filter(kind__in=["number", "choice"]).order_by("order"):
        answers[field.key] = field.choices[0] if field.kind == "choice" else (12 if field.key == "years" else 240)
    return Application.objects.create(
        contest=contest, nomination=nomination, organisation=org, region=org.region, sector=org.sector,
        title=f"{nomination.title}: {person or org.name}"[:300], nominee_name=person,
        nominee_position="Инженер по качеству" if person else "", nominee_consent_at=now if person else None,
        answers=answers, status=status, submitted_at=None if status == S.DRAFT else now,
        withdrawn_at=now if status == S.WITHDRAWN else None)


def _open_contest(campaign: Campaign, today: dt.date, jurors: dict[str, list[User]], regions: dict[str, Region],
                  bread: Organisation, rng: random.Random) -> Contest:
    """The current year's contest, open for applications, with the Kirov pools already scored."""
    contest = _contest(campaign, today, current=True)
    _assign(contest, jurors, regions)
    system = Actor.system()
    services.update_settings(actor=system, contest=contest, blind_review=False, jurors_see_scores=False,
                             release_comments=False, min_reviews=2, advance_top=ADVANCE, early_review=True)
    nominations = _nominations(contest)
    contest = services.move_phase(actor=system, contest=contest, to=P.OPEN)
    _newcomer(_newcomer_org(regions["43"]))
    _fill_kirov(regions["43"], bread)
    orgs = _kirov_orgs(regions["43"], bread)
    strict, kind, bread_juror, colleague = jurors["43"]
    for juror, org in ((bread_juror, bread), (colleague, orgs["newcomer"])):
        services.declare_conflict(actor=system, contest=contest, juror=juror, organisation=org,
                                  reason="Работает в организации", kind=JurorConflict.Kind.EMPLOYER)
    for order, key, harsh, lenient in KIROV_2026:
        n = nominations[order]
        app = _file(contest, n, orgs[key], S.SUBMITTED, rng.choice(PEOPLE) if n.for_person else "")
        for juror, mark in ((strict, harsh), (kind, lenient)):
            services.save_score(actor=Actor(user=juror), application=app,
                                values={f"c_{c.pk}": mark for c in n.criteria.all()}, comment=rng.choice(COMMENTS))
    _file(contest, nominations[0], orgs["leader-2"], S.DRAFT)
    _file(contest, nominations[0], orgs["school-1"], S.WITHDRAWN)
    for code in REGIONS[1:5]:  # elsewhere applications are being prepared
        for org in _candidates(nominations[0], regions[code], rng, None)[:2]:
            _file(contest, nominations[0], org, S.DRAFT)
    return contest


def _diplomas(contest: Contest) -> None:
    """The winners' diplomas, issued through «Certificates and diplomas» on the day of the results."""
    at = dt.datetime.combine(contest.results_on, dt.time(12, 0), tzinfo=timezone.get_default_timezone())
    certificate_services.issue(actor=Actor.system(), source_code="contest.winners", at=at,
                               subject=Subject(subject_id=contest.pk))


def _finished_contest(campaign: Campaign, today: dt.date, jurors: dict[str, list[User]], regions: dict[str, Region],
                      bread: Organisation | None, rng: random.Random) -> Contest:
    """The previous year's contest from the applications to the diplomas."""
    contest = _contest(campaign, today, current=False)
    _assign(contest, jurors, regions)
    if bread is not None:
        services.declare_conflict(actor=Actor.system(), contest=contest, juror=jurors["43"][2],
                                  organisation=bread, reason="Работает в организации",
                                  kind=JurorConflict.Kind.EMPLOYER)
    nominations = _nominations(contest)
    Contest.objects.filter(pk=contest.pk).update(phase=P.REGIONAL_REVIEW)  # its applications arrive below
    contest.refresh_from_db()
    quality = _applications(contest, nominations, regions, rng, {"43": bread} if bread else {})
    _regional_round(contest, nominations, jurors, regions, quality, rng)
    conflicted = Application.objects.filter(contest=contest, status=S.NATIONAL).exclude(
        organisation=bread).order_by("id").first()
    if conflicted is not None:  # the national jury's one recorded conflict
        services.declare_conflict(actor=Actor(user=jurors["national"][0]), contest=contest,
                                  juror=jurors["national"][0], organisation=conflicted.organisation,
                                  reason="Ранее консультировала эту организацию по системе менеджмента качества")
        ApplicantConflict.objects.create(application=conflicted, named="Мерилов И. С.",
                                         reason="Член жюри — бывший сотрудник нашего конкурента")
    _national_round(contest, nominations, jurors["national"], quality, rng, finish=True)
    _diplomas(contest)
    return contest


def build(ctx: DemoContext) -> dict[str, int]:
    campaigns = {c.year: c for c in Campaign.objects.filter(year__in=[ctx.today.year - 1, ctx.today.year])}
    bread = Organisation.objects.filter(region__code="43", name="АО «Вятский хлебокомбинат»").first()
    if len(campaigns) < 2 or bread is None:
        return {}
    rng = random.Random(ctx.seed * 13 + 1)
    regions = {r.code: r for r in Region.objects.filter(code__in=REGIONS)}
    jurors = _jurors(regions)
    previous = _finished_contest(campaigns[ctx.today.year - 1], ctx.today, jurors, regions, bread, rng)
    ctx.on_progress(1, 2, "Конкурс «Лидер качества»")
    current = _open_contest(campaigns[ctx.today.year], ctx.today, jurors, regions, bread, rng)
    ctx.on_progress(2, 2, "Конкурс «Лидер качества»")
    total = Application.objects.filter(contest__in=[previous, current]).count()
    return {"заявок на конкурс": total, "итогов туров": RoundResult.objects.count()}


def wipe() -> None:
    User.objects.filter(email=NEWCOMER[0]).delete()
    for model in (RoundResult, Score, ApplicantConflict, JurorConflict, Application, Nomination, Contest):
        model.objects.all().delete()
    RoleAssignment.objects.filter(role=Role.JUROR).delete()
    Organisation.objects.filter(name__in=[NEWCOMER_ORG, *(name for name, _ in FILLERS)]).delete()
