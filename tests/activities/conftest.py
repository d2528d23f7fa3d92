"""Fixtures for activity tests: a campaign whose Quality Week has just ended (so reports can be
submitted whatever day the suite runs), and a helper to make reported activities."""

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


@pytest.fixture
def make_activity(world, campaign):
    def make(organisation=None, *, type_code: str = "quality_lesson", status: str = "planned",
             by=None, **counts) -> Activity:
        organisation = organisation or world.kirov_school
        rep = by or (world.school_rep if organisation == world.kirov_school else world.company_rep)
        actor = Actor(user=rep)
        activity = services.plan_activity(
            actor=actor, campaign=campaign, organisation=organisation,
            type=ActivityType.objects.get(code=type_code), title="Урок качества «Как выбрать товар»",
            starts_on=campaign.quality_day, ends_on=campaign.quality_day, format="in_person")
        if status == "planned":
            return activity
        fields = counts or {"pupils_5_9": 75}
        activity = services.save_report(actor=actor, activity=activity, description="Провели урок.",
                                        links=["https://school1.example.ru/news/1"], **fields)
        activity = services.submit(actor=actor, activity=activity)
        coordinator = Actor(user=world.kirov_edu if organisation.sector == "education" else world.kirov_business)
        if status == "approved":
            activity = services.approve(actor=coordinator, activity=activity)
        elif status == "returned":
            activity = services.return_for_changes(actor=coordinator, activity=activity, comment="Добавьте фото.")
        return activity

    return make
