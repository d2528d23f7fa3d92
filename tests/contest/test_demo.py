"""The contest's demo step on top of the directory's and the campaigns' (issue #13 «Done when» on the
demo data: harsh and lenient Kirov jurors, a recused colleague, regional results confirmed, the
national round under review, last year's winners on the public page)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from qualityweek.campaigns import demo as campaigns_demo
from qualityweek.contest import demo, selectors
from qualityweek.contest.models import Application, Contest, JurorConflict, Round, RoundResult
from qualityweek.core.demo import DemoContext
from qualityweek.directory import demo as directory_demo
from qualityweek.directory.models import Region, User

pytestmark = pytest.mark.django_db


def _build(seed: int = 7) -> dict[str, int]:
    ctx = DemoContext(seed=seed, organisations=500, today=timezone.localdate(), on_progress=lambda *_: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    return demo.build(ctx)


def test_the_contest_demo(client):
    counts = _build()
    year = timezone.localdate().year
    current = Contest.objects.get(campaign__year=year)
    previous = Contest.objects.get(campaign__year=year - 1)
    assert (current.phase, previous.phase) == ("national_review", "results")
    assert current.nominations.count() == 3
    assert counts["заявок на конкурс"] == Application.objects.count()
    assert set(Application.objects.filter(contest=current).values_list("status", flat=True)) == {
        "draft", "withdrawn", "not_advanced", "national"}
    assert Application.objects.filter(contest=current).values("region").distinct().count() >= 10
    assert {"winner", "prize", "participant"} <= set(
        Application.objects.filter(contest=previous).values_list("status", flat=True))
    # Kirov: the strict and the lenient juror put the pools in a different order than the raw means.
    kirov = Region.objects.get(code="43")
    moved = [r for n in current.nominations.all()
             for r in selectors.ranking(current, n, Round.REGIONAL, kirov.pk) if r.row.rank != r.row.raw_rank]
    assert moved
    # The juror who works at the bakery never sees, scores or appears on its applications.
    bread = User.objects.get(email="juror.kirov.bread@demo.qualityweek.ru")
    bakery = Application.objects.filter(contest=current, organisation__name="АО «Вятский хлебокомбинат»",
                                        nomination__order=0).first()
    assert bakery is not None
    assert bakery.status == "national"
    assert not selectors.applications_for(bread).filter(pk=bakery.pk).exists()
    assert not bakery.scores.filter(juror=bread).exists()
    assert bakery.scores.filter(round="regional").count() == 2
    assert JurorConflict.objects.filter(contest=current, kind="declared").count() == 1
    assert RoundResult.objects.filter(contest=current, round="regional").exists()
    assert not RoundResult.objects.filter(contest=current, round="national").exists()
    for email, _ in demo.DEMO_LOGINS:
        assert client.login(request=HttpRequest(), username=email, password=directory_demo.DEMO_PASSWORD), email
    client.logout()
    page = client.get(reverse("contest_winners", args=[year - 1])).content.decode()
    assert "Победитель" in page
    assert "II место" in page


def test_the_demo_pages_render(client):
    _build(seed=2026)
    year = timezone.localdate().year
    operator = User.objects.get(email="operator@demo.qualityweek.ru")
    strict = User.objects.get(email="juror.kirov.strict@demo.qualityweek.ru")
    national = User.objects.get(email="juror.national@demo.qualityweek.ru")
    kirov_chair = User.objects.get(email="kirov.business@demo.qualityweek.ru")
    company = User.objects.get(email="company@demo.qualityweek.ru")
    current = Contest.objects.get(campaign__year=year)
    first = current.nominations.get(order=0)
    pages = {
        None: [reverse("contest_detail", args=[year]), reverse("contest_winners", args=[year - 1])],
        operator: [reverse("contest_manage", args=[year]), reverse("contest_chair", args=[year]),
                   reverse("contest_ranking", args=[year, first.pk, "national", "rf"]),
                   reverse("contest_export", args=[year])],
        kirov_chair: [reverse("contest_ranking", args=[year, first.pk, "regional", "43"])],
        strict: [reverse("contest_jury")],
        national: [reverse("contest_jury")],
        company: [reverse("contest_my")],
    }
    for user, urls in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(kirov_chair)
    page = client.get(reverse("contest_ranking", args=[year, first.pk, "regional", "43"])).content.decode()
    assert "изменилось" in page  # the normalised place differs from the raw one
    client.force_login(national)
    assert "национальный тур" in client.get(reverse("contest_jury")).content.decode()
