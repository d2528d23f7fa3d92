"""Fixtures for the figures: a campaign whose Quality Week has just ended (reports can be submitted
whatever day the suite runs) and a helper that takes an activity through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qualityweek.activities import services
from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor


@pytest.fixture
def campaign(world):
    today = timezone.localdate()
    return campaign_services.create_campaign(
        actor=Actor(user=world.operator), year=today.year, motto="Россия — страна со Знаком качества",
        phase="reporting", week_start=today - dt.timedelta(days=10), week_end=today - dt.timedelta(days=4),
        quality_day=today - dt.timedelta(days=7), report_deadline=today + dt.timedelta(days=20),
    )


def reviewer(world, organisation):
    if organisation.region.code == "77":
        return world.moscow_edu
    return world.kirov_edu if organisation.sector == "education" else world.kirov_business


def representative(world, organisation):
    return world.company_rep if organisation == world.kirov_company else world.school_rep


@pytest.fixture
def moscow_rep(world):
    from qualityweek.directory.models import Role
    from tests import factories as f

    return f.user(Role.ORG_REP, org=world.moscow_school, email="moscow.school@example.ru")


@pytest.fixture
def make_activity(world, campaign, moscow_rep):
    def make(organisation=None, *, type_code: str = "", status: str = "planned", day_offset: int = 0,
             **counts) -> Activity:
        organisation = organisation or world.kirov_school
        rep = moscow_rep if organisation == world.moscow_school else representative(world, organisation)
        actor = Actor(user=rep)
        code = type_code or ("quality_lesson" if organisation.sector == "education" else "open_day")
        day = campaign.week_start + dt.timedelta(days=day_offset)
        activity = services.plan_activity(
            actor=actor, campaign=campaign, organisation=organisation, type=ActivityType.objects.get(code=code),
            title="Урок качества «Как выбрать товар»", starts_on=day, ends_on=day, format="in_person")
        if status == "planned":
            return activity
        fields = counts or ({"pupils_5_9": 75} if organisation.sector == "education" else {"customers": 40})
        activity = services.save_report(actor=actor, activity=activity, description="Провели урок.",
                                        links=["https://school1.example.ru/news/1"], **fields)
        activity = services.submit(actor=actor, activity=activity)
        coordinator = Actor(user=reviewer(world, organisation))
        if status == "approved":
            activity = services.approve(actor=coordinator, activity=activity)
        elif status == "returned":
            activity = services.return_for_changes(actor=coordinator, activity=activity, comment="Добавьте фото.")
        return activity

    return make
