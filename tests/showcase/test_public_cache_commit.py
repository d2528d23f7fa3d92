"""The public page cache is invalidated when a change *commits*, not while it is still in flight.

A bump made before the commit lets a visitor's request that lands in between read the old rows
and cache them under the new version, so the old page is served for the whole cache timeout.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from qualityweek.activities import services as activity_services
from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns import services as campaign_services
from qualityweek.core import public_cache
from qualityweek.core.audit import Actor
from qualityweek.directory import services as directory_services
from qualityweek.directory.models import Region
from qualityweek.showcase import services as showcase_services


def _open_day(world, campaign) -> Activity:
    return activity_services.plan_activity(
        actor=Actor(user=world.company_rep), campaign=campaign, organisation=world.kirov_company,
        type=ActivityType.objects.get(code="open_day"), title="День открытых дверей на хлебокомбинате",
        starts_on=campaign.quality_day, ends_on=campaign.quality_day, venue="г. Киров", is_public=True)


def _practice(world, make_activity):
    activity = make_activity(status="approved")
    return showcase_services.nominate(actor=Actor(user=world.kirov_edu), activity=activity,
                                      title="Урок качества для пятиклассников",
                                      story="Ученики сравнили маркировку десяти товаров и составили памятку.")


# Each write that changes what a visitor sees, and the section it changes.
WRITES = {
    "activity plan edited": ("events", lambda w, c, m: activity_services.update_plan(
        actor=Actor(user=w.company_rep), activity=_open_day(w, c), title="Большой день открытых дверей")),
    "activity hidden": ("events", lambda w, c, m: activity_services.set_hidden(
        actor=Actor(user=w.kirov_business), activity=_open_day(w, c), hidden=True)),
    "activity cancelled": ("events", lambda w, c, m: activity_services.cancel(
        actor=Actor(user=w.company_rep), activity=_open_day(w, c))),
    "organisation renamed": ("events", lambda w, c, m: directory_services.update_organisation(
        actor=Actor(user=w.kirov_business), organisation=w.kirov_company, name="АО «Вятский хлеб»")),
    "campaign motto changed": ("campaign", lambda w, c, m: campaign_services.update_campaign(
        actor=Actor(user=w.operator), campaign=c, motto="Качество — это мы")),
    "regional window set": ("events", lambda w, c, m: campaign_services.set_regional_window(
        actor=Actor(user=w.operator), campaign=c, region=Region.objects.get(code="43"),
        starts_on=c.week_start, ends_on=c.week_end)),
    "practice published": ("practices", lambda w, c, m: showcase_services.publish(
        actor=Actor(user=w.operator), practice=_practice(w, m))),
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_the_public_cache_is_bumped_on_commit_not_before(world, campaign, make_activity, write,
                                                         django_capture_on_commit_callbacks):
    section, change = WRITES[write]
    with django_capture_on_commit_callbacks(execute=True):
        before = public_cache.versions((section,))
        change(world, campaign, make_activity)
        # Still inside the transaction: a visitor now reads the old rows, so the version must not move yet.
        assert public_cache.versions((section,)) == before
    assert public_cache.versions((section,)) != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_between_write_and_commit_does_not_freeze_the_old_page(world, campaign):
    if connection.vendor != "postgresql":
        pytest.skip("Needs a second connection that reads while the first writes; SQLite locks the table "
                    "(set DATABASE_URL=postgres://… to run it).")
    activity = _open_day(world, campaign)
    url = f"/afisha/{activity.pk}/"
    assert "хлебокомбинате" in Client().get(url).content.decode()
    seen: list[str] = []

    def visit() -> None:
        try:
            seen.append(Client().get(url).content.decode())
        finally:
            connections.close_all()

    with transaction.atomic():
        activity_services.update_plan(actor=Actor(user=world.company_rep), activity=activity,
                                      title="Большой день открытых дверей")
        visitor = threading.Thread(target=visit)
        visitor.start()
        visitor.join(30)
    assert "День открытых дверей на хлебокомбинате" in seen[0]  # the visitor saw what was committed then
    assert "Большой день открытых дверей" in Client().get(url).content.decode()
