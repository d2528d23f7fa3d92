"""Contest test data shared by the tests and the URL matrix: explicit factory functions."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.contest import services
from qualityweek.contest.models import Application, Contest, Nomination
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation, Role, RoleAssignment
from tests import factories as f

_seq = itertools.count(1)

FIELDS = [
    {"key": "summary", "label": "Описание практики", "kind": "text", "min_length": 10, "max_length": 500},
    {"key": "people", "label": "Сколько человек участвовало", "kind": "number", "min_value": 1, "max_value": 100000},
    {"key": "scale", "label": "Масштаб", "kind": "choice", "choices": ["Организация", "Город", "Регион"]},
    {"key": "link", "label": "Ссылка на публикацию", "kind": "link", "required": False},
    {"key": "report", "label": "Презентация", "kind": "file", "required": False, "max_size_mb": 1},
]
CRITERIA = [
    {"title": "Результативность", "weight": 2, "scale_min": 1, "scale_max": 10},
    {"title": "Новизна", "weight": 1, "scale_min": 1, "scale_max": 10},
]


def campaign() -> Campaign:
    found = current_campaign() or Campaign.objects.order_by("-year").first()
    if found is not None:
        return found
    today = timezone.localdate()
    return Campaign.objects.create(year=today.year, motto="Девиз", week_start=today, week_end=today,
                                   quality_day=today, report_deadline=today + dt.timedelta(days=30),
                                   phase="running")


def contest(phase: str = Contest.Phase.OPEN, *, close_in_days: int = 10, **settings) -> Contest:
    """A contest whose applications close ``close_in_days`` from today (negative: already closed)."""
    today = timezone.localdate()
    close = today + dt.timedelta(days=close_in_days)
    c = services.create_contest(
        actor=Actor.system(), campaign=campaign(), applications_open=min(today, close) - dt.timedelta(days=10),
        applications_close=close, regional_review_until=close + dt.timedelta(days=10),
        regional_results_on=close + dt.timedelta(days=12), national_review_until=close + dt.timedelta(days=20),
        results_on=close + dt.timedelta(days=25))
    Contest.objects.filter(pk=c.pk).update(phase=phase, **settings)
    c.refresh_from_db()
    return c


def nomination(c: Contest, *, for_person: bool = False, title: str = "") -> Nomination:
    """A nomination added as in preparation, whatever phase the test has put the contest in."""
    phase = c.phase
    Contest.objects.filter(pk=c.pk).update(phase=Contest.Phase.DRAFT)
    c.phase = Contest.Phase.DRAFT
    n = services.add_nomination(
        actor=Actor.system(), contest=c, title=title or f"Лучшая практика Недели качества {next(_seq)}",
        for_person=for_person, fields=FIELDS, criteria=CRITERIA)
    Contest.objects.filter(pk=c.pk).update(phase=phase)
    c.phase = phase
    return n


def application(n: Nomination, org: Organisation, status: str = Application.Status.REGIONAL_REVIEW,
                title: str = "") -> Application:
    app = Application.objects.create(
        contest=n.contest, nomination=n, organisation=org, region=org.region, sector=org.sector,
        title=title or f"Практика {org.name}", status=status,
        answers={"summary": "Открытые уроки качества для школьников", "people": 120, "scale": "Город"},
        submitted_at=timezone.now())
    return Application.objects.select_related("contest", "nomination").get(pk=app.pk)  # the contest as it is now


def juror(c: Contest, round_: str = "regional", region_code: str | None = "43", **fields):
    return f.user(Role.JUROR, contest_id=c.pk, contest_round=round_, region_code=region_code or "", **fields)


def point_juror(world, c: Contest) -> None:
    """world.juror judges contest 1 in the fixture: point its role at this contest."""
    RoleAssignment.objects.filter(user=world.juror, role=Role.JUROR).update(contest_id=c.pk)
    if hasattr(world.juror, "_principal"):
        del world.juror._principal


def values(a: int, b: int, nomination_: Nomination) -> dict[str, str]:
    first, second = nomination_.criteria.all()
    return {f"c_{first.pk}": str(a), f"c_{second.pk}": str(b)}
