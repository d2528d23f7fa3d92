"""Demo data of this app (a step of qualityweek/demo/steps.py): the forum of the current campaign year
over three days with a regional day, 20 regional venues (Kirov's is left for its coordinator to
register), a few hundred registrations in every state made through the services, one full session
with a waiting list, one session with a single seat left (so a visitor sees the last seat go and the
next person queue), and a check-in login of its own (``DEMO_LOGINS``; the demo's teacher also staffs
the desk)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext
from qualityweek.directory.demo import DEMO_PASSWORD
from qualityweek.directory.models import Region, Role, RoleAssignment, User

from . import services
from .models import Forum, Question, Registration, Session, Ticket, Venue

MOSCOW = ZoneInfo("Europe/Moscow")
STAFF_EMAIL = "teacher@demo.qualityweek.ru"
DESK_EMAIL = "forum.staff@demo.qualityweek.ru"
DEMO_LOGINS = [(DESK_EMAIL, "Форум: регистрация на входе (проверка билетов)")]
LAST_SEAT_SESSION = "Уроки качества в школе: лучшие практики регионов"
S = Registration.Status

SURNAMES = ["Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Васильев", "Соколова", "Михайлов", "Новикова",
            "Фёдоров", "Морозова", "Волков", "Алексеева", "Лебедев", "Семёнова", "Егоров", "Павлова", "Козлов",
            "Степанова", "Николаев", "Орлова", "Андреев", "Макарова", "Захаров"]
NAMES = [("Анна", "Сергеевна"), ("Иван", "Петрович"), ("Мария", "Ивановна"), ("Дмитрий", "Олегович"),
         ("Елена", "Викторовна"), ("Алексей", "Николаевич"), ("Ольга", "Андреевна"), ("Сергей", "Михайлович")]

PROGRAMME = [  # day index, hall key, start hour, hours, title, speakers, format, capacity
    (0, "congress", 10, 2, "Пленарное заседание «Россия — страна со Знаком качества»",
     "Руководитель Роскачества; представители федеральных органов власти", "hybrid", None),
    (0, "congress", 13, 2, "Качество как стратегия: опыт российских производителей",
     "Генеральные директора предприятий — лауреатов «Лидер качества»", "in_person", None),
    (0, "small", 15, 2, "Мастер-класс: как пройти добровольную сертификацию на Знак качества",
     "Эксперты Роскачества", "in_person", 20),
    (0, "congress", 16, 2, "Цифровые инструменты контроля качества", "Эксперты отрасли", "hybrid", None),
    (1, "regions", 10, 5, "Региональный день: площадки регионов на связи с ВДНХ",
     "Координаторы регионов, министерства образования и промышленности", "hybrid", None),
    (1, "small", 16, 2, "Уроки качества в школе: лучшие практики регионов", "Учителя — победители конкурса",
     "in_person", 40),
    (2, "congress", 11, 2, "Церемония награждения «Лидер качества»", "Жюри конкурса", "hybrid", None),
    (2, "small", 14, 2, "Качество услуг: голос потребителя", "Общественные организации потребителей", "online",
     None),
]


def _forum_dates(campaign: Campaign, today: dt.date) -> dt.date:
    """The forum is held around Quality Day; a demo loaded after it moves it forward so registration is open."""
    start = campaign.quality_day - dt.timedelta(days=2)
    return start if start > today + dt.timedelta(days=3) else today + dt.timedelta(days=14)


def build(ctx: DemoContext) -> dict[str, int]:
    campaign = Campaign.objects.filter(year=ctx.today.year).first()
    if campaign is None:
        return {}
    rng = random.Random(ctx.seed * 7 + 12)
    actor = Actor.system()
    start = _forum_dates(campaign, ctx.today)
    forum = services.create_forum(actor=actor, campaign=campaign, title=f"Всемирный день качества — {campaign.year}",
                                  starts_on=start, ends_on=start + dt.timedelta(days=2), is_published=True,
                                  requires_approval=True, offer_hours=24)
    halls = {
        "congress": services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.HALL, name="Конгресс-зал",
                                       address="Москва, проспект Мира, 119, ВДНХ, павильон 57", capacity=500),
        "regions": services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.HALL, name="Павильон «Регионы»",
                                      address="Москва, проспект Мира, 119, ВДНХ, павильон 75", capacity=150),
        "small": services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.HALL, name="Малый зал",
                                    address="Москва, проспект Мира, 119, ВДНХ, павильон 57, зал 2", capacity=60),
    }
    online = services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.ONLINE, name="Онлайн-трансляция форума",
                                stream_url="https://stream.example.ru/world-quality-day")
    days = [services.add_day(actor=actor, forum=forum, date=start + dt.timedelta(days=i), title=title,
                             is_regional=i == 1)
            for i, title in enumerate(["Пленарный день", "Региональный день", "День лидеров качества"])]
    sessions = []
    for day_index, hall, hour, hours, title, speakers, fmt, capacity in PROGRAMME:
        at = dt.datetime.combine(days[day_index].date, dt.time(hour), tzinfo=MOSCOW)
        sessions.append(services.add_session(actor=actor, day=days[day_index], venue=halls[hall], starts_at=at,
                                             ends_at=at + dt.timedelta(hours=hours), title=title, speakers=speakers,
                                             format=fmt, capacity=capacity))
    services.add_question(actor=actor, forum=forum, kind=Question.Kind.CHOICE, label="Ваша сфера",
                          choices=["Образование", "Промышленность", "Торговля и услуги", "Органы власти", "Другое"])
    services.add_question(actor=actor, forum=forum, kind=Question.Kind.TEXT, label="Должность")
    venues = _regional_venues(forum, rng)
    counts = _registrations(forum, sessions, venues, online, rng)
    _staff(forum)
    # The demo mails nobody: tickets count as sent, so no queued ticket job sends anything.
    Ticket.objects.filter(registration__forum=forum).update(emailed_at=timezone.now())
    return {"регистраций на форум": counts, "региональных площадок": len(venues)}


def _regional_venues(forum: Forum, rng: random.Random) -> list[Venue]:
    regions = list(Region.objects.exclude(code="43").order_by("code"))
    chosen = sorted(rng.sample(regions, 20), key=lambda r: r.code)
    venues = []
    for region in chosen:
        city = region.city_list[0] if region.city_list else region.short_name
        venues.append(services.register_regional_venue(
            actor=Actor.system(), forum=forum, region=region, name=f"{region.short_name}: площадка форума",
            address=f"{city}, ул. Советская, {rng.randint(1, 120)}, актовый зал", capacity=rng.choice([30, 50, 80]),
            contact=f"{rng.choice(SURNAMES)} {rng.choice(NAMES)[0][0]}., +7 900 {rng.randint(100, 999)}-00-00",
            connection=rng.choice(["Трансляция на экран в актовом зале", "Видеоконференция с павильоном ВДНХ",
                                   "Трансляция и выступление с площадки"])))
    return venues


def _person(i: int, rng: random.Random) -> tuple[str, str]:
    first, middle = rng.choice(NAMES)
    surname = rng.choice(SURNAMES)
    return f"{surname} {first} {middle}", f"guest{i}@demo-forum.example.ru"


def _register(forum: Forum, i: int, session: Session, venue: Venue, rng: random.Random, regions: list[Region],
              **kind: object) -> Registration:
    name, email = _person(i, rng)
    region = venue.region or rng.choice(regions)
    answers = {str(q.pk): (rng.choice(q.choices) if q.choices else "специалист") for q in forum.questions.all()}
    registration, _ = services.register(
        actor=Actor.system(), forum=forum, session=session, venue=venue, notify=False, consent=True,
        partners_consent=rng.random() < 0.4,
        applicant=services.Applicant(name=name, email=email, region=region, answers=answers, **kind))  # type: ignore[arg-type]
    return registration


def _registrations(forum: Forum, sessions: list[Session], venues: list[Venue], online: Venue,
                   rng: random.Random) -> int:
    regions = list(Region.objects.order_by("code"))
    n = _moderated(forum, sessions[0], rng, regions)
    forum = services.update_forum(actor=Actor.system(), forum=forum, requires_approval=False)
    n = _confirmed(forum, sessions, venues, online, rng, regions, n)
    _full_session(forum, sessions[2], rng, regions, n)
    _attendance(forum, venues, rng)
    _last_seat(forum, sessions[5], rng, regions, n + 100)
    return Registration.objects.filter(forum=forum).count()


def _moderated(forum: Forum, plenary: Session, rng: random.Random, regions: list[Region]) -> int:
    """While the forum is moderated: pending registrations, some approved, some declined."""
    made = [_register(forum, n, plenary, plenary.venue, rng, regions) for n in range(60)]
    for r in made[:30]:
        services.approve(actor=Actor.system(), registration=r)
    for r in made[30:42]:
        services.decline(actor=Actor.system(), registration=r,
                         reason="Мест для вашей организации в этом зале нет, приглашаем на онлайн-трансляцию.")
    return len(made)


def _confirmed(forum: Forum, sessions: list[Session], venues: list[Venue], online: Venue, rng: random.Random,
               regions: list[Region], n: int) -> int:
    """Confirmed at once: every session but the master class, in the hall, online and at regional venues."""
    for session in sessions:
        if session.capacity == 20:
            continue
        where = [session.venue] if session.format != Session.Format.ONLINE else [online]
        if session.format == Session.Format.HYBRID:
            where.append(online)
        for _ in range(rng.randint(12, 25)):
            _register(forum, n, session, rng.choice(where), rng, regions)
            n += 1
    regional_day = sessions[4]
    for venue in venues:
        for _ in range(rng.randint(2, 6)):
            _register(forum, n, regional_day, venue, rng, regions)
            n += 1
        if rng.random() < 0.5:
            _register(forum, n, regional_day, venue, rng, regions, kind="group", pupils=rng.randint(8, 20), adults=2)
            n += 1
    return n


def _full_session(forum: Forum, masterclass: Session, rng: random.Random, regions: list[Region], n: int) -> None:
    """20 seats, then a waiting list; three cancellations make offers, which lapse and move on."""
    made = [_register(forum, n + i, masterclass, masterclass.venue, rng, regions) for i in range(20 + 9)]
    for r in made[:3]:
        services.cancel(actor=Actor.system(), registration=r)
    services.expire_offers(now=timezone.now() + dt.timedelta(hours=25))


def _last_seat(forum: Forum, session: Session, rng: random.Random, regions: list[Region], n: int) -> None:
    """Fill the session's hall up to one free seat, nobody waiting: the next visitor takes the last seat,
    the one after them joins the waiting list, and a cancellation makes them an offer."""
    session.refresh_from_db()
    if session.title != LAST_SEAT_SESSION or session.capacity is None:
        raise ValueError(f"The demo's last-seat session is «{LAST_SEAT_SESSION}» with a capacity")
    while session.taken < session.capacity - 1:
        _register(forum, n, session, session.venue, rng, regions)
        n += 1
        session.refresh_from_db()


def _attendance(forum: Forum, venues: list[Venue], rng: random.Random) -> None:
    """Some cancel; many are checked in (a dress rehearsal), some watch online, venues report head counts."""
    system = Actor.system()
    live = list(Registration.objects.filter(forum=forum, status=S.CONFIRMED).order_by("pk"))
    for r in rng.sample(live, 15):
        services.cancel(actor=system, registration=r)
    live = list(Registration.objects.filter(forum=forum, status=S.CONFIRMED).select_related("ticket", "venue")
                .order_by("pk"))
    for r in live:
        if r.venue.kind == Venue.Kind.ONLINE and rng.random() < 0.6:
            services.record_join(token=r.join_token)
        elif r.venue.kind != Venue.Kind.ONLINE and rng.random() < 0.3:
            services.check_in(actor=system, forum=forum, code=r.ticket.code, source=Ticket.Source.SCAN)
    for venue in venues[:8]:
        services.record_watchers(actor=system, venue=venue, count=rng.randint(20, 120))


def _staff(forum: Forum) -> None:
    """The registration desk's own login, and the demo's teacher as a second, forum-scoped role."""
    desk = User.objects.create(email=DESK_EMAIL, password=make_password(DEMO_PASSWORD), last_name="Входова",
                               first_name="Ирина", patronymic="Павловна", position="Регистрация на входе форума")
    RoleAssignment.objects.create(user=desk, role=Role.FORUM_STAFF, event_id=forum.pk)
    user = User.objects.filter(email=STAFF_EMAIL).first()
    if user is not None:
        RoleAssignment.objects.create(user=user, role=Role.FORUM_STAFF, event_id=forum.pk)


def wipe() -> None:
    Registration.objects.all().delete()
    Session.objects.all().delete()  # a session protects its hall: sessions go before the venues
    Forum.objects.all().delete()
    RoleAssignment.objects.filter(role=Role.FORUM_STAFF).delete()
