"""Concurrent transitions on PostgreSQL: the in-database increments add up under the row locks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from qualityweek.activities import services, tally
from qualityweek.activities.models import Activity, RegionCount, RegionTally
from qualityweek.core.audit import Actor

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every writer anyway"),
]


def test_parallel_approvals_add_up(world, make_activity, campaign):
    activities = [make_activity(status="submitted", pupils_5_9=10) for _ in range(16)]
    errors: list[BaseException] = []

    def approve(chunk: list[Activity]) -> None:
        try:
            for a in chunk:
                services.approve(actor=Actor(user=world.kirov_edu), activity=a)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(activities[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    row = RegionTally.objects.get(campaign=campaign, region=world.kirov_school.region, sector="education",
                                  status="approved")
    assert (row.activities, row.pupils_5_9) == (16, 160)
    counts = RegionCount.objects.get(campaign=campaign, region=world.kirov_school.region, sector="education")
    assert (counts.organisations, counts.reported, counts.approved) == (1, 1, 1)
    assert tally.recount() == []


def test_sixteen_organisations_plan_report_and_submit_at_once(world, campaign):
    """The deadline-day loop: every write locks only its own activity, so nothing cycles."""
    from qualityweek.activities.models import ActivityType
    from qualityweek.directory.roles import Role
    from tests import factories as f

    kind = ActivityType.objects.get(code="quality_lesson")
    reps = [(org, f.user(Role.ORG_REP, org=org)) for org in (f.organisation("43") for _ in range(16))]
    errors: list[BaseException] = []
    start = threading.Barrier(len(reps), timeout=30)

    def report(org, rep) -> None:
        actor = Actor(user=rep)
        try:
            start.wait()
            for n in range(3):
                activity = services.plan_activity(
                    actor=actor, campaign=campaign, organisation=org, type=kind, title=f"Урок качества № {n}",
                    starts_on=campaign.quality_day, ends_on=campaign.quality_day, format="in_person")
                activity = services.save_report(actor=actor, activity=activity, description="Провели урок.",
                                                pupils_5_9=20 + n)
                services.submit(actor=actor, activity=activity)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report, args=pair) for pair in reps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert Activity.objects.filter(status="submitted").count() == 48
    row = RegionTally.objects.get(campaign=campaign, region=world.kirov_school.region, sector="education",
                                  status="submitted")
    assert (row.activities, row.pupils_5_9) == (48, 16 * (20 + 21 + 22))
    assert tally.recount() == []
