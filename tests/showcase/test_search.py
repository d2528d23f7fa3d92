"""Russian word forms in the public search on both databases, region names as a filter, and the
index kept up to date by the services and the rebuild command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.audit import Actor
from qualityweek.showcase import search, services
from qualityweek.showcase.models import BestPractice
from qualityweek.showcase.selectors import PracticeFilter, search_practices

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite FTS5 index")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's russian configuration")


def found(q: str, **filters) -> set[str]:
    return {p.title for p in search_practices(PracticeFilter(q=q, **filters))}


@pytest.fixture
def moscow_practice(world):
    def make(title: str, story: str) -> BestPractice:
        campaign = current_campaign()
        activity = Activity.objects.create(
            campaign=campaign, organisation=world.moscow_school, region=world.moscow_school.region,
            sector="education", type=ActivityType.objects.get(code="quiz"), title=title,
            starts_on=campaign.quality_day, ends_on=campaign.quality_day, status="approved", pupils_5_9=10)
        practice = BestPractice(activity=activity, title=title, story=story, status="published",
                                published_at=timezone.now())
        practice.search_text = services.search_text(practice)
        practice.save()
        search.reindex([practice])
        return practice

    return make


def _word_forms(nominate) -> None:
    nominate("published", title="Открытый урок о маркировке молока")
    for q in ["уроки", "урока", "уроком", "Уроки маркировки", "молоко"]:
        assert found(q) == {"Открытый урок о маркировке молока"}, q
    assert found("космос") == set()


@sqlite_only
def test_word_forms_on_sqlite(world, nominate):
    assert connection.vendor == "sqlite"
    _word_forms(nominate)


@postgres_only
def test_word_forms_on_postgresql(world, nominate):
    assert connection.vendor == "postgresql"
    _word_forms(nominate)


def test_word_forms_through_the_public_page(client, world, nominate):
    nominate("published", title="Открытый урок о маркировке молока")
    html = client.get("/practices/", {"q": "уроки"}).content.decode()
    assert "Открытый урок о маркировке молока" in html


def test_a_region_name_filters_by_region(client, world, nominate, moscow_practice):
    nominate("published", title="Квиз о качестве в Кирове")
    moscow_practice("Квиз о качестве для гостей из Кировской области",
                    "Московские школьники принимали гостей из Кировской области и провели с ними квиз.")
    assert search.parse_query("квизы Кировская область") == search.ParsedQuery(text="квизы", region="43")
    assert search.parse_query("квиз в Кировской области").region == "43"
    assert search.parse_query("уроки в Москве") == search.ParsedQuery(text="уроки", region="77")
    assert search.parse_query("уроки качества") == search.ParsedQuery(text="уроки качества")
    # The Moscow text mentions the Kirov region, but only the Kirov practice is in the Kirov region.
    assert found("квизы Кировская область") == {"Квиз о качестве в Кирове"}
    assert found("Кировской области") == {"Квиз о качестве в Кирове"}
    assert found("квиз Москва") == {"Квиз о качестве для гостей из Кировской области"}
    assert found("квиз") == {"Квиз о качестве в Кирове", "Квиз о качестве для гостей из Кировской области"}
    html = client.get("/practices/", {"q": "квизы Кировская область"}).content.decode()
    assert "Квиз о качестве в Кирове" in html
    assert "для гостей из Кировской области" not in html


def test_revising_and_rebuilding_keep_the_index_current(world, nominate):
    practice = nominate("changes", title="Экскурсия на хлебозавод")
    services.revise(actor=Actor(user=world.kirov_edu), practice=practice, title="Экскурсия на молокозавод",
                    story="Школьники увидели лабораторию входного контроля и поговорили с технологами.")
    services.publish(actor=Actor(user=world.editor), practice=practice)
    assert found("экскурсии молокозавода") == {"Экскурсия на молокозавод"}
    assert found("хлебозавод") == set()
    search.clear_index()
    BestPractice.objects.update(search_vector=None)
    assert found("экскурсии") == set()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "1 practices" in out.getvalue()
    assert found("экскурсии") == {"Экскурсия на молокозавод"}
