"""Dashboards: what each role sees, the figures they show, drill-downs, reminders and the history."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from qualityweek.activities import tally
from qualityweek.activities.models import RegionalReport
from qualityweek.analytics import denominators, selectors, services
from qualityweek.analytics.models import HistoricalTotal, Reminder
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world, make_activity, campaign):
    """Kirov: two approved lessons (75 + 30 pupils), one submitted, one planned; a Kirov company
    with an approved open day; Moscow: one approved lesson with 500 pupils."""
    make_activity(status="approved", pupils_5_9=75)
    make_activity(status="approved", pupils_5_9=30, teachers=3)
    make_activity(status="submitted", pupils_1_4=20)
    make_activity(status="planned")
    make_activity(world.kirov_company, status="approved", customers=40)
    make_activity(world.moscow_school, status="approved", pupils_10_11=500)
    denominators.refresh_denominators()
    return campaign


def test_national_figures(world, figures):
    board = selectors.national(figures, by_sector=True)
    assert board.total.approved.activities == 4
    assert board.total.submitted.activities == 1
    assert board.total.participants == 75 + 30 + 3 + 40 + 500
    assert board.total.approved_orgs == 3
    assert board.regions_taking_part == 2
    kirov = next(a for a in board.areas if a.region.code == "43")
    c = kirov.completeness
    assert (c.expected, c.received, c.missing, c.approved, c.submitted) == (5, 4, 1, 3, 1)
    assert kirov.completeness.rate == 80.0
    kirov_edu = next(a for a in board.sectors if a.key == (kirov.region.pk, "education"))
    assert (kirov_edu.organisations, kirov_edu.registered) == (1, 1)
    assert kirov_edu.reach == pytest.approx(100 * 108 / 500, abs=0.1)
    lesson = next(t for t in board.types if t["type"].code == "quality_lesson")
    assert lesson["approved"].activities == 3
    assert lesson["submitted"].activities == 1


def test_closed_organisations_are_not_expected_to_report(world, figures):
    Organisation.objects.filter(pk=world.kirov_school.pk).update(status=Organisation.Status.CLOSED)
    denominators.refresh_denominators()
    kirov = next(a for a in selectors.national(figures).areas if a.region.code == "43")
    assert kirov.completeness.expected == 1  # only the company's activity is still expected
    assert kirov.approved.activities == 3  # what was held stays held


def test_regional_dashboard_by_kind_and_municipality(world, figures):
    scope = selectors.scope_for(world.kirov_edu)
    board = selectors.regional(figures, scope)
    assert board.total.approved.activities == 2
    assert board.total.participants == 108
    school = next(a for a in board.areas if a.key == "school")
    assert (school.registered, school.organisations, school.approved.activities) == (1, 1, 2)
    assert [a.label for a in board.sectors] == [world.kirov_school.municipality]


def test_operator_dashboard_page(client, world, figures):
    client.force_login(world.operator)
    page = client.get(reverse("analytics_dashboard"), {"year": figures.year, "metric": "participants"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-region="') == 89
    assert 'aria-label="Кировская область: 148 участников, код 43"' in html
    assert "Год к году" in html
    assert "Полнота и своевременность" in html
    coverage = client.get(reverse("analytics_dashboard"), {"year": figures.year, "tab": "coverage"})
    assert "Охват по регионам и сферам" in coverage.content.decode()


def test_unknown_metric_falls_back_and_foreign_year_is_404(client, world, figures):
    client.force_login(world.operator)
    assert client.get(reverse("analytics_dashboard"), {"metric": "<script>"}).status_code == 200
    assert client.get(reverse("analytics_dashboard"), {"year": "1999"}).status_code == 404


def test_coordinator_never_sees_another_region(client, world, figures):
    client.force_login(world.kirov_edu)
    html = client.get(reverse("analytics_dashboard")).content.decode()
    assert "Кировская" in html
    assert ">500<" not in html
    assert "500 участ" not in html
    assert 'data-region="' not in html  # no national map
    for url in (reverse("analytics_region", args=["77"]),
                reverse("analytics_region", args=["43"]) + "?sector=business",
                reverse("analytics_activities") + "?region=77",
                reverse("analytics_activities") + "?region=43&sector=business"):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("analytics_remind", args=["77"]), {"sector": "education"}).status_code == 404
    listing = client.get(reverse("analytics_activities")).content.decode()
    assert "Школа № 1535" not in listing
    assert world.kirov_company.name not in listing
    assert client.get(reverse("analytics_region", args=["43"])).status_code == 200


def test_organisation_people_have_no_dashboard(client, world, figures):
    client.force_login(world.school_rep)
    assert client.get(reverse("analytics_dashboard")).status_code == 403
    assert client.get(reverse("analytics_region", args=["43"])).status_code == 403


def test_drill_down_region_to_organisations_to_activities(client, world, figures):
    client.force_login(world.operator)
    dash = client.get(reverse("analytics_dashboard"), {"year": figures.year}).content.decode()
    region_url = re.search(r'href="(/dashboard/regions/43/\?year=\d+)"', dash).group(1)
    region = client.get(region_url).content.decode()
    assert world.kirov_school.name in region
    assert world.kirov_company.name in region
    activities_url = re.search(r'href="(/dashboard/activities/\?[^"]*region=43[^"]*status=approved)"', region)
    listing = client.get(activities_url.group(1).replace("&amp;", "&")).content.decode()
    assert len(re.findall(r'href="/activities/\d+/"', listing)) == 3  # the three approved Kirov activities


def test_not_reported_list_and_reminders(client, world, figures, django_capture_on_commit_callbacks):
    silent = f.organisation("43", name="МКОУ ООШ д. Малые Ключи", email="kluchi@example.ru")
    denominators.refresh_denominators()
    client.force_login(world.kirov_edu)
    url = reverse("analytics_region", args=["43"]) + f"?year={figures.year}&show=not_reported"
    html = client.get(url).content.decode()
    assert silent.name in html
    assert world.kirov_school.name not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics_remind", args=["43"]), {"sector": "education", "year": figures.year})
    assert response.status_code == 302
    assert "/jobs/" in response["Location"]
    assert [m.to for m in mail.outbox] == [["kluchi@example.ru"]]
    assert "Малые Ключи" in mail.outbox[0].body
    assert Reminder.objects.filter(organisation=silent).count() == 1
    assert AuditEntry.objects.filter(action="analytics.reminder_sent", object_id=str(silent.pk)).exists()
    # A second click within a day sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analytics_remind", args=["43"]), {"sector": "education", "year": figures.year})
    assert len(mail.outbox) == 1


def test_reminder_service_checks_scope(world, figures):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.send_reminders(actor=Actor(user=world.kirov_edu), campaign=figures,
                                region=world.moscow_school.region, sector="education")


def test_regional_reports_in_completeness(world, figures):
    RegionalReport.objects.create(campaign=figures, region=world.kirov_school.region, sector="education",
                                  status=RegionalReport.Status.SUBMITTED)
    board = selectors.national(figures)
    assert board.reports["expected"] == 178
    assert board.reports["received"] == 1
    kirov = next(a for a in board.areas if a.region.code == "43")
    assert kirov.reports == {"education": "submitted"}


def test_history_entered_by_hand_joins_year_over_year(client, world, figures):
    client.force_login(world.operator)
    response = client.post(reverse("analytics_history"), {"year": 2019, "participants": "1010000",
                                                          "pupils_in_lesson": "830000", "source": "Письмо"})
    assert response.status_code == 302
    bad = client.post(reverse("analytics_history"), {"year": 2019, "regions": "120"})
    assert "Регионов не может быть больше 89" in bad.content.decode()
    years = {y["year"]: y for y in selectors.year_over_year()}
    assert years[2019]["pupils_in_lesson"] == 830000
    assert years[2019]["source"] == "введено оператором"
    assert years[figures.year]["source"] == "платформа"
    assert years[figures.year]["pupils_in_lesson"] == 75 + 30 + 500
    assert HistoricalTotal.objects.get(year=2019).updated_by == world.operator
    assert AuditEntry.objects.filter(action="analytics.history").count() == 1
    client.force_login(world.kirov_edu)
    assert client.post(reverse("analytics_history"), {"year": 2019}).status_code == 403


def test_public_home_shows_counters_and_invalidates(client, world, make_activity, figures):
    html = client.get("/").content.decode()
    assert 'data-testid="public-activities">4<' in html
    assert 'data-region="' in html
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cached:
        client.get("/")
    assert not any("analytics_" in q["sql"] for q in cached.captured_queries)  # served from the cache
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        make_activity(world.moscow_school, status="approved", pupils_10_11=10)
    assert 'data-testid="public-activities">5<' in client.get("/").content.decode()
    # A bulk insert (the import, the demo) sends no model signals: the tally's commit hook refreshes it.
    from qualityweek.activities.models import Activity

    template = Activity.objects.filter(status="approved").first()
    template.pk, template.client_token = None, None
    with TestCase.captureOnCommitCallbacks(execute=True):
        tally.activities_created(Activity.objects.bulk_create([template]))
    assert 'data-testid="public-activities">6<' in client.get("/").content.decode()


class Clock:
    """``bodies.clock`` driven by the test: time moves only when told."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    from qualityweek.analytics import bodies

    settings.ANALYTICS_DASHBOARD_REFRESH = 10
    c = Clock()
    monkeypatch.setattr(bodies, "clock", c)
    return c


def freshness(html: str) -> str:
    found = re.search(r'data-testid="dashboard-freshness">(.*?)</p>', html, re.S)
    assert found, "the page says how fresh its figures are"
    return found.group(1).replace("\u00a0", " ")


def test_cached_national_body_follows_every_aggregate_change(client, world, figures, make_activity, clock,
                                                              django_capture_on_commit_callbacks):
    """The rendered national body is reused while the tallies have not changed; after a change the
    new figures show once the refresh window has passed."""
    client.force_login(world.operator)
    url = reverse("analytics_dashboard")
    params = {"year": figures.year, "metric": "participants"}
    html = client.get(url, params).content.decode()
    assert 'aria-label="Кировская область: 148 участников, код 43"' in html
    assert freshness(html).startswith("Данные актуальны")
    with django_capture_on_commit_callbacks(execute=True):
        make_activity(status="approved", pupils_5_9=52)
    clock.now += 10
    html = client.get(url, params).content.decode()
    assert 'aria-label="Кировская область: 200 участников, код 43"' in html
    assert freshness(html).startswith("Данные актуальны")


def test_previous_body_is_served_while_a_newer_one_is_rendered(client, world, figures, make_activity, clock,
                                                                django_capture_on_commit_callbacks):
    """Reports arrive: within the refresh window, and while another request holds the re-render lock,
    the previous body is served with its age; then one request renders the new generation."""
    from django.core.cache import cache

    from qualityweek.analytics import bodies

    client.force_login(world.operator)
    url = reverse("analytics_dashboard")
    params = {"year": figures.year, "metric": "participants"}
    client.get(url, params)
    with django_capture_on_commit_callbacks(execute=True):
        make_activity(status="approved", pupils_5_9=52)
    clock.now += 2  # inside the refresh window: debounced
    html = client.get(url, params).content.decode()
    assert 'aria-label="Кировская область: 148 участников, код 43"' in html
    assert freshness(html).startswith("Данные обновлены 2 секунды назад")
    assert "не чаще раза в 10 секунд" in freshness(html)

    clock.now += 19  # past the window, but another process is re-rendering this very body
    lock = bodies._key(figures.pk, "overview", "participants") + ":rendering"
    assert cache.add(lock, 1, 60)
    html = client.get(url, params).content.decode()
    assert 'aria-label="Кировская область: 148 участников, код 43"' in html
    assert freshness(html).startswith("Данные обновлены 21 секунду назад")
    assert cache.get(lock) == 1  # the lock is the other renderer's: left alone

    cache.delete(lock)  # that render is over (here: it died without storing anything)
    html = client.get(url, params).content.decode()
    assert 'aria-label="Кировская область: 200 участников, код 43"' in html
    assert freshness(html).startswith("Данные актуальны")
    assert cache.get(lock) is None
    # Another tab of the same campaign has its own body and lock: rendered fresh on its first view.
    coverage = client.get(url, {"year": figures.year, "tab": "coverage"}).content.decode()
    assert freshness(coverage).startswith("Данные актуальны")


def test_age_is_said_with_russian_plurals():
    from qualityweek.analytics.bodies import age_ru

    assert [age_ru(n).replace("\u00a0", " ") for n in (0, 1, 2, 5, 11, 21, 22, 60, 125, 300)] == [
        "только что", "1 секунду назад", "2 секунды назад", "5 секунд назад", "11 секунд назад",
        "21 секунду назад", "22 секунды назад", "1 минуту назад", "2 минуты назад", "5 минут назад"]


def test_closed_correction_is_cached_until_the_directory_refreshes(world, figures, django_assert_num_queries):
    from qualityweek.analytics.selectors import _closed_correction

    Organisation.objects.filter(pk=world.kirov_school.pk).update(status=Organisation.Status.CLOSED)
    denominators.refresh_denominators()
    first = _closed_correction(figures)
    assert first[(world.kirov_school.region_id, "education")]["n_approved"] == 2
    with django_assert_num_queries(0):
        assert _closed_correction(figures) == first
    Organisation.objects.filter(pk=world.kirov_school.pk).update(status=Organisation.Status.ACTIVE)
    assert _closed_correction(figures) == first  # until the directory's denominators are refreshed
    denominators.refresh_denominators()
    assert _closed_correction(figures) == {}


def test_reading_the_denominators_writes_nothing(world):
    from qualityweek.analytics import denominators as d
    from qualityweek.analytics.models import Denominator

    Denominator.objects.all().delete()
    rows = d.denominators(max_age=300)
    assert not Denominator.objects.exists()  # computed for the read, not stored by it
    kirov = {(r[1]): r[2] for r in rows if r[0] == world.kirov_school.region_id}
    assert kirov == {"education": 1, "business": 1}
