"""Issue 13's «Done when» walked in a real browser ON THE DEMO DATA (the directory's, the campaigns' and
the contest's demo steps): the Kirov representative who has not applied yet applies in a nomination;
the harsh and the lenient Kirov juror score it; the regional chair's ranking puts it elsewhere than the
raw mean does; the juror who works at that company gets 404 for it; the operator closes applications
early, the chair confirms the Kirov pools and the application reaches the national round; a visitor
finds last year's winners with their diplomas from the contest's page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qualityweek.campaigns import demo as campaigns_demo
from qualityweek.contest import demo, selectors
from qualityweek.contest.models import Application, Contest, Round
from qualityweek.core.demo import DemoContext
from qualityweek.directory import demo as directory_demo
from qualityweek.directory.demo import DEMO_PASSWORD
from qualityweek.directory.models import Organisation, Region

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Производство открытых дверей: экскурсии по мебельной фабрике"
NOMINATION = "Лучшая практика Недели качества"
# The new application's marks (Результативность, Охват, Новизна). The harsh juror's 7s are high for her,
# the lenient juror's 8s and 9 are low for him: the raw mean (74.1) puts it first in the Kirov pool of
# the nomination, the normalised score (67.6) second, behind «practice-2» (raw third: 61.1).
STRICT = ("7", "7", "6")
LENIENT = ("9", "8", "8")


@pytest.fixture
def demo_data(db):
    ctx = DemoContext(seed=7, organisations=500, today=timezone.localdate(), on_progress=lambda *_: None)
    for step in (directory_demo, campaigns_demo, demo):  # only the steps the contest needs
        step.build(ctx)
    return Contest.objects.get(campaign__year=ctx.today.year)


def as_user(page, email: str | None, width: int = 390):
    context = page.context.browser.new_context(locale="ru-RU", viewport={"width": width, "height": 844})
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.base_url = page.base_url
    if email:
        log_in(other, email, DEMO_PASSWORD)
    return other


def _score(juror, base: str, marks: tuple[str, str, str]) -> None:
    juror.goto(base + "/contest/jury/")
    juror.get_by_role("link", name=TITLE).click()
    for label, mark in zip(("Результативность", "Охват", "Новизна"), marks, strict=True):
        juror.get_by_label(label).fill(mark)
    juror.get_by_label("Комментарий").fill("Экскурсии проведены, охват посчитан, отзывы собраны.")
    juror.get_by_role("button", name="Сохранить оценку").click()
    juror.get_by_text("Оценка сохранена.").wait_for()


def _row(chair, title: str) -> list[str]:
    return [c.strip() for c in chair.get_by_role("row").filter(has_text=title).locator("td").all_inner_texts()]


def test_the_done_when_on_the_demo_data(page, demo_data):
    contest = demo_data
    year = contest.year
    base = page.base_url
    kirov = Region.objects.get(code="43")
    nomination = contest.nominations.get(title=NOMINATION)

    # 1. The new Kirov company applies (at 390 px, with a Russian message by field first).
    company = as_user(page, demo.NEWCOMER[0])
    company.goto(base + f"/contest/{year}/")
    section = company.locator("section", has=company.get_by_role("heading", name=NOMINATION))
    section.get_by_role("link", name="Подать заявку").click()
    company.get_by_label("Название заявки").fill(TITLE)
    company.get_by_label("Описание практики и её результатов").fill("Коротко")
    company.get_by_label("Сколько человек участвовало").fill("410")
    company.get_by_label("Формат").select_option("Очно")
    company.get_by_role("button", name="Отправить заявку").click()
    company.get_by_text("Не короче 50 знаков (сейчас 7).").wait_for()
    assert company.evaluate("document.documentElement.scrollWidth") <= 390
    company.get_by_label("Описание практики и её результатов").fill(
        "Провели двенадцать экскурсий по цехам для школьников и жителей, показали контроль качества мебели.")
    company.get_by_role("button", name="Отправить заявку").click()
    company.get_by_text("Заявка отправлена.").wait_for()
    application = Application.objects.get(title=TITLE)
    assert (application.status, application.nomination_id, application.region_id) == (
        "submitted", nomination.pk, kirov.pk)

    # 2. The harsh and the lenient Kirov jurors score it (early review: applications are still open).
    _score(as_user(page, "juror.kirov.strict@demo.qualityweek.ru"), base, STRICT)
    _score(as_user(page, "juror.kirov.kind@demo.qualityweek.ru"), base, LENIENT)
    assert application.scores.filter(round=Round.REGIONAL).count() == 2

    # 3. The chair's ranking: the normalised place differs from the raw one where the jurors' habits say so.
    chair = as_user(page, "kirov.business@demo.qualityweek.ru", width=1280)
    ranking_url = base + f"/contest/{year}/chair/{nomination.pk}/regional/43/"
    chair.goto(ranking_url)
    ours = _row(chair, TITLE)
    assert ours[:2] == ["2", "1 изменилось"]  # place 2 normalised, 1 by the raw mean
    ranked = {r.application.pk: r.row for r in selectors.ranking(contest, nomination, Round.REGIONAL, kirov.pk)}
    bakery = Organisation.objects.get(name="АО «Вятский хлебокомбинат»")
    practice_2 = Application.objects.get(contest=contest, nomination=nomination,
                                         organisation=demo._kirov_orgs(kirov, bakery)["practice-2"])
    assert (ranked[practice_2.pk].rank, ranked[practice_2.pk].raw_rank) == (1, 3)
    assert _row(chair, practice_2.title)[:2] == ["1", "3 изменилось"]
    assert ranked[application.pk].raw > ranked[practice_2.pk].raw
    assert ranked[application.pk].normalised < ranked[practice_2.pk].normalised

    # 4. The juror who works at the company never sees it: 404 on both of its pages, absent from the queue.
    colleague = as_user(page, "juror.kirov.colleague@demo.qualityweek.ru")
    for url in (f"/contest/jury/applications/{application.pk}/", f"/contest/applications/{application.pk}/"):
        assert colleague.goto(base + url).status == 404
    colleague.goto(base + "/contest/jury/")
    assert TITLE not in colleague.content()

    # 5. The operator closes applications early; the chair confirms every Kirov pool.
    operator = as_user(page, "operator@demo.qualityweek.ru", width=1280)
    operator.goto(base + f"/contest/{year}/manage/")
    operator.get_by_label("Закрыть приём досрочно во всех регионах").check()
    operator.get_by_label("Причина досрочного закрытия").fill("Заявки всех регионов поданы, жюри готово")
    operator.get_by_role("button", name="Перейти к этапу «Региональная экспертиза»").click()
    operator.get_by_text("Этап конкурса изменён.").wait_for()
    for n in contest.nominations.order_by("order"):
        chair.goto(base + f"/contest/{year}/chair/{n.pk}/regional/43/")
        chair.get_by_role("button", name="Утвердить выход в национальный тур").click()
        chair.get_by_text("Итоги утверждены.").wait_for()
    application.refresh_from_db()
    assert application.status == "advanced"  # «Прошла в национальный тур»: the top 2 by the normalised score

    # 6. The operator opens the national round: the application is on the national shortlist.
    operator.goto(base + f"/contest/{year}/manage/")
    operator.get_by_role("button", name="Перейти к этапу «Итоги регионального тура»").click()
    operator.get_by_role("button", name="Перейти к этапу «Национальная экспертиза»").click()
    operator.get_by_text("Этап конкурса изменён.").wait_for()
    application.refresh_from_db()
    assert application.status == "national"
    operator.goto(base + f"/contest/{year}/chair/{nomination.pk}/national/rf/")
    operator.get_by_role("link", name=TITLE).wait_for()
    company.goto(base + "/contest/my/")
    company.get_by_text("На национальной экспертизе").first.wait_for()

    # 7. A visitor finds last year's winners, each diploma linking to its verification page.
    visitor = as_user(page, None)
    visitor.goto(base + f"/contest/{year}/")
    visitor.get_by_role("link", name=f"Победители конкурса {year - 1} года").click()
    visitor.get_by_role("heading", name=f"Победители конкурса «Лидер качества» {year - 1}").wait_for()
    assert visitor.get_by_text("Победитель").count() >= 3
    diplomas = visitor.get_by_role("link", name="Диплом №")
    assert diplomas.count() == 9
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    diplomas.first.click()
    visitor.get_by_text("Действителен").wait_for()

