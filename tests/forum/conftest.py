from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.forum import services
from qualityweek.forum.models import Forum, Venue
from qualityweek.forum.services import Applicant


def make_forum(operator, *, year: int | None = None, capacity: int = 10, approval: bool = False,
               campaign=None) -> Forum:
    actor = Actor(user=operator)
    today = timezone.localdate()
    if campaign is None:
        campaign = campaign_services.create_campaign(actor=actor, year=year or today.year, motto="Девиз",
                                                     phase="running")
    start = today + dt.timedelta(days=20)
    forum = services.create_forum(actor=actor, campaign=campaign, title=f"Всемирный день качества — {campaign.year}",
                                  starts_on=start, ends_on=start + dt.timedelta(days=2), is_published=True,
                                  requires_approval=approval)
    hall = services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.HALL, name="Павильон «Регионы»",
                              address="Москва, ВДНХ, пав. 75", capacity=capacity)
    services.add_venue(actor=actor, forum=forum, kind=Venue.Kind.ONLINE, name="Онлайн-трансляция",
                       stream_url="https://stream.example.ru/forum")
    day = services.add_day(actor=actor, forum=forum, date=start, title="Пленарный день")
    regional = services.add_day(actor=actor, forum=forum, date=start + dt.timedelta(days=1), title="Региональный день",
                                is_regional=True)
    at = dt.datetime.combine(start, dt.time(10), tzinfo=dt.UTC)
    services.add_session(actor=actor, day=day, venue=hall, starts_at=at, ends_at=at + dt.timedelta(hours=2),
                         title="Пленарное заседание", speakers="А. А. Иванов", capacity=capacity)
    at2 = at + dt.timedelta(days=1)
    services.add_session(actor=actor, day=regional, venue=hall, starts_at=at2, ends_at=at2 + dt.timedelta(hours=4),
                         title="Региональный день", format="hybrid", capacity=capacity)
    return forum


@pytest.fixture
def forum(world):
    return make_forum(world.operator)


def plenary(forum):
    return forum.sessions.get(title="Пленарное заседание")


def regional_session(forum):
    return forum.sessions.get(title="Региональный день")


def hall(forum):
    return forum.venues.get(kind="hall")


def sign(forum, email: str, *, session=None, venue=None, actor=None, kind="individual", pupils=0, adults=0,
         region=None, waitlist_ok=True):
    session = session or plenary(forum)
    return services.register(actor=actor or Actor.public("10.0.0.1"), forum=forum, session=session,
                             venue=venue or session.venue,
                             applicant=Applicant(name="Петрова Анна Сергеевна", email=email, kind=kind, pupils=pupils,
                                                 adults=adults, region=region),
                             consent=True, waitlist_ok=waitlist_ok)[0]
