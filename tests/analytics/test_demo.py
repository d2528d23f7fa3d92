"""After the demo load the aggregates match a recount (the activities step writes its rows in bulk
and the analytics step rebuilds the aggregates once) and every dashboard has data."""

import pytest
from django.core.management import call_command

from qualityweek.activities import tally
from qualityweek.analytics import demo as analytics_demo
from qualityweek.analytics import selectors
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.directory.models import User

pytestmark = pytest.mark.django_db


def test_demo_figures(client, monkeypatch, capsys):
    rebuilt = []
    rebuild = analytics_demo.tally.rebuild
    monkeypatch.setattr(analytics_demo.tally, "rebuild", lambda *a, **k: rebuilt.append(1) or rebuild(*a, **k))
    call_command("load_demo", seed=3, organisations=600, verbosity=0)
    assert rebuilt == [1]  # once, after every activity is written
    assert tally.recount() == []
    call_command("recount_aggregates")
    assert "расхождений нет" in capsys.readouterr().out

    campaign = current_campaign()
    board = selectors.national(campaign)
    assert board.total.approved.activities > 0
    assert board.total.submitted.activities > 0
    years = [y["year"] for y in board.years]
    assert years[0] == 2018
    assert campaign.year in years
    assert sum(y["pupils_in_lesson"] or 0 for y in board.years if y["year"] <= 2023) > 6_000_000

    client.force_login(User.objects.get(email="operator@demo.qualityweek.ru"))
    html = client.get("/dashboard/").content.decode()
    assert html.count('data-region="') == 89
    client.force_login(User.objects.get(email="kirov.edu@demo.qualityweek.ru"))
    html = client.get("/dashboard/").content.decode()
    assert "Кировская обл., образование" in html
    assert client.get("/dashboard/regions/77/").status_code == 404
    client.logout()
    assert 'data-testid="public-activities"' in client.get("/").content.decode()
