"""The contest's demo step on top of the directory's and the campaigns' (issue #13 «Done when» on the
demo data): the current contest open for applications with early review, harsh and lenient Kirov
jurors whose normalised ranking swaps two applications, recused colleagues, a Kirov representative
who has not applied yet, and last year's winners with their diplomas on the public page."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from qualityweek.campaigns import demo as campaigns_demo
from qualityweek.certificates.models import Certificate
from qualityweek.contest import demo, selectors, services
from qualityweek.contest.models import Application, Contest, JurorConflict, Round, RoundResult
from qualityweek.core.demo import DemoContext
from qualityweek.core.permissions import can
from qualityweek.directory import demo as directory_demo
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region, User

pytestmark = pytest.mark.django_db


def _build(seed: int = 7) -> dict[str, int]:
    ctx = DemoContext(seed=seed, organisations=500, today=timezone.localdate(), on_progress=lambda *_: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    return demo.build(ctx)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def test_the_current_contest_is_open_and_the_kirov_pools_are_scored(client):
    counts = _build()
    year = timezone.localdate().year
    current = Contest.objects.get(campaign__year=year)
    assert (current.phase, current.early_review) == ("open", True)
    assert current.applications_open < timezone.localdate() < current.applications_close
    assert current.nominations.count() == 3
    assert counts["заявок на конкурс"] == Application.objects.count()
    assert set(Application.objects.filter(contest=current).values_list("status", flat=True)) == {
        "draft", "submitted", "withdrawn"}
    kirov = Region.objects.get(code="43")
    services._check_open(current, kirov)  # a Kirov organisation may still apply today
    submitted = Application.objects.filter(contest=current, status="submitted")
    assert set(submitted.values_list("region__code", flat=True)) == {"43"}
    assert submitted.count() == len(demo.KIROV_2026)
    strict, kind = _user("juror.kirov.strict@demo.qualityweek.ru"), _user("juror.kirov.kind@demo.qualityweek.ru")
    for app in submitted:
        assert set(app.scores.filter(round="regional").values_list("juror_id", flat=True)) == {strict.pk, kind.pk}
    # The normalised ranking swaps exactly the two applications KIROV_2026 names, and nothing else.
    orgs = demo._kirov_orgs(kirov, Organisation.objects.get(name="АО «Вятский хлебокомбинат»"))
    swapped = {orgs[k].pk for k in demo.KIROV_SWAP}
    for n in current.nominations.all():
        ranked = selectors.ranking(current, n, Round.REGIONAL, kirov.pk)
        moved = {r.application.organisation_id for r in ranked if r.row.rank != r.row.raw_rank}
        assert moved == (swapped if n.order == 0 else set()), n.title
        if n.order == 0:
            by_org = {r.application.organisation_id: r.row for r in ranked}
            first, second = (by_org[orgs[k].pk] for k in demo.KIROV_SWAP)
            assert first.raw > second.raw
            assert first.normalised < second.normalised


def test_recusal_the_newcomer_and_the_chair():
    _build()
    year = timezone.localdate().year
    current = Contest.objects.get(campaign__year=year)
    kirov = Region.objects.get(code="43")
    bread_org = Organisation.objects.get(name="АО «Вятский хлебокомбинат»")
    orgs = demo._kirov_orgs(kirov, bread_org)
    # The juror who works at the bakery never sees, scores or appears on its application.
    bread = _user("juror.kirov.bread@demo.qualityweek.ru")
    bakery = Application.objects.get(contest=current, organisation=bread_org, nomination__order=0)
    assert not selectors.applications_for(bread).filter(pk=bakery.pk).exists()
    assert not can(bread, "score", bakery)
    assert selectors.jury_queue(bread, current, Round.REGIONAL).count() == len(demo.KIROV_2026) - 2
    assert not Application.objects.filter(organisation=bread_org, scores__juror=bread).exists()
    # The new company's representative has not applied; a juror works there and is recused from it.
    newcomer = _user(demo.NEWCOMER[0])
    assert set(principal(newcomer).organisations) == {orgs["newcomer"].pk}
    assert not Application.objects.filter(organisation=orgs["newcomer"]).exists()
    assert can(newcomer, "apply", current.nominations.get(order=0))
    colleague = _user("juror.kirov.colleague@demo.qualityweek.ru")
    assert JurorConflict.objects.filter(contest=current, juror=colleague, organisation=orgs["newcomer"],
                                        kind="employer").exists()
    # The Kirov business coordinator chairs the Kirov round; a juror may score during early review.
    assert selectors.chairs(_user("kirov.business@demo.qualityweek.ru"), Round.REGIONAL, kirov.pk)
    assert can(_user("juror.kirov.strict@demo.qualityweek.ru"), "score", bakery)


def test_last_years_winners_have_diplomas(client):
    _build()
    year = timezone.localdate().year
    previous = Contest.objects.get(campaign__year=year - 1)
    assert previous.phase == "results"
    assert {"winner", "prize", "participant", "not_advanced"} <= set(
        Application.objects.filter(contest=previous).values_list("status", flat=True))
    assert RoundResult.objects.filter(contest=previous, round="national").count() == 3
    assert JurorConflict.objects.filter(contest=previous, kind="declared").count() == 1
    winners = Application.objects.filter(contest=previous, status__in=["winner", "prize"])
    diplomas = Certificate.objects.valid().filter(source="contest.winners", subject_id=previous.pk)
    assert diplomas.count() == winners.count() == 9
    page = client.get(reverse("contest_winners", args=[year - 1])).content.decode()
    assert "Победитель" in page
    assert "II место" in page
    for d in diplomas:
        assert reverse("certificate_verify", args=[d.public_id]) in page
        assert d.number_text in page
    # Reachable from the public site: the current contest's archive and the campaign archive.
    link = reverse("contest_winners", args=[year - 1])
    assert link in client.get(reverse("contest_detail", args=[year])).content.decode()
    assert link in client.get(reverse("campaign_detail", args=[year - 1])).content.decode()
    for email, _ in demo.DEMO_LOGINS:
        assert client.login(request=HttpRequest(), username=email, password=directory_demo.DEMO_PASSWORD), email


def test_the_demo_pages_render(client):
    _build(seed=2026)
    year = timezone.localdate().year
    operator = _user("operator@demo.qualityweek.ru")
    strict = _user("juror.kirov.strict@demo.qualityweek.ru")
    national = _user("juror.national@demo.qualityweek.ru")
    kirov_chair = _user("kirov.business@demo.qualityweek.ru")
    newcomer = _user(demo.NEWCOMER[0])
    current = Contest.objects.get(campaign__year=year)
    first = current.nominations.get(order=0)
    previous_first = Contest.objects.get(campaign__year=year - 1).nominations.get(order=0)
    pages = {
        None: [reverse("contest_detail", args=[year]), reverse("contest_winners", args=[year - 1])],
        operator: [reverse("contest_manage", args=[year]), reverse("contest_chair", args=[year]),
                   reverse("contest_ranking", args=[year - 1, previous_first.pk, "national", "rf"])],
        kirov_chair: [reverse("contest_ranking", args=[year, first.pk, "regional", "43"])],
        strict: [reverse("contest_jury")],
        national: [reverse("contest_jury")],
        newcomer: [reverse("contest_my"), reverse("contest_apply", args=[first.pk])],
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
    assert "Предварительный рейтинг" in page
    client.force_login(newcomer)
    assert "Подать заявку" in client.get(reverse("contest_detail", args=[year])).content.decode()
    client.force_login(national)
    assert "национальный тур" in client.get(reverse("contest_jury")).content.decode()
