"""The operator opens the dashboard, switches the map metric and drills down to one region."""

import datetime as dt

import pytest
from django.utils import timezone

from qualityweek.activities import services
from qualityweek.activities.models import ActivityType
from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from tests import factories as f

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _approved(world, campaign, organisation, rep, coordinator, pupils):
    actor = Actor(user=rep)
    a = services.plan_activity(actor=actor, campaign=campaign, organisation=organisation,
                               type=ActivityType.objects.get(code="quality_lesson"), title="Урок качества",
                               starts_on=campaign.quality_day, ends_on=campaign.quality_day)
    a = services.save_report(actor=actor, activity=a, description="Провели урок.", pupils_5_9=pupils)
    a = services.submit(actor=actor, activity=a)
    return services.approve(actor=Actor(user=coordinator), activity=a)


def test_operator_switches_the_map_and_drills_down(page, world):
    today = timezone.localdate()
    campaign = campaign_services.create_campaign(
        actor=Actor(user=world.operator), year=today.year, motto="Россия — страна со Знаком качества",
        phase="reporting", week_start=today - dt.timedelta(days=10), week_end=today - dt.timedelta(days=4),
        quality_day=today - dt.timedelta(days=7), report_deadline=today + dt.timedelta(days=20))
    _approved(world, campaign, world.kirov_school, world.school_rep, world.kirov_edu, 75)
    moscow_rep = f.user("org_rep", org=world.moscow_school, email="msk@example.ru")
    _approved(world, campaign, world.moscow_school, moscow_rep, world.moscow_edu, 40)

    log_in(page, "operator@example.ru", f.PASSWORD)
    page.get_by_role("link", name="Дашборд").click()
    page.wait_for_url("**/dashboard/")
    assert page.locator("svg.qw-map a").count() == 89
    kirov = page.locator('svg.qw-map a[data-region="43"]')
    assert kirov.get_attribute("aria-label") == "Кировская область: 1 мероприятие, код 43"

    # Switch the metric: htmx swaps the dashboard in place (the button does the same without JS).
    page.get_by_label("Показатель на карте").select_option("participants")
    # (a locator, not wait_for_function: the page's CSP refuses the eval that polling needs)
    page.locator('svg.qw-map a[data-region="43"][aria-label*="75 участников"]').wait_for()
    assert "metric=participants" in page.url

    # Keyboard: the region is a focusable link; Enter opens its drill-down.
    page.locator('svg.qw-map a[data-region="43"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/regions/43/**")
    assert "Кировская область" in page.get_by_test_id("region-title").inner_text()
    assert page.get_by_role("link", name=world.kirov_school.name).is_visible()
    assert world.moscow_school.name not in page.content()
