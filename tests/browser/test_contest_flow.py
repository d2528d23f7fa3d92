"""Issue 13's flow in a real browser: a Kirov company applies, two Kirov jurors score it, the regional
chair confirms the result, and the operator sees the application on the national shortlist."""

import datetime as dt

import pytest

from qualityweek.contest import services
from qualityweek.contest.models import Application
from qualityweek.core.audit import Actor
from tests import factories as f
from tests.contest import helpers as h

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def as_user(page, email: str):
    context = page.context.browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.base_url = page.base_url
    log_in(other, email, f.PASSWORD)
    return other


def _score(juror, base: str, title: str, first: str, second: str) -> None:
    juror.goto(base + "/contest/jury/")
    juror.get_by_text("Оценено 0 из 1").wait_for()
    juror.get_by_role("link", name=title).click()
    juror.get_by_label("Результативность").fill(first)
    juror.get_by_label("Новизна").fill(second)
    juror.get_by_label("Комментарий").fill("Понятные результаты, хороший охват.")
    juror.get_by_role("button", name="Сохранить оценку").click()
    juror.get_by_text("Оценено 1 из 1").wait_for()


def test_apply_review_confirm_and_national_shortlist(page, world):
    contest = h.contest()
    h.point_juror(world, contest)
    nomination = h.nomination(contest, title="Лучшая практика Недели качества")
    h.juror(contest, email="juror2@example.ru")
    base = page.base_url
    title = "Дни открытых дверей на хлебокомбинате"

    company = as_user(page, "company@example.ru")
    company.goto(base + f"/contest/{contest.year}/")
    company.get_by_role("link", name="Подать заявку").click()
    company.get_by_label("Название заявки").fill(title)
    company.get_by_label("Описание практики").fill("Коротко")
    company.get_by_label("Сколько человек участвовало").fill("много")
    company.get_by_label("Масштаб").select_option("Город")
    company.get_by_role("button", name="Отправить заявку").click()
    company.get_by_text("Не короче 10 знаков (сейчас 7).").wait_for()
    company.get_by_text("Введите целое число.").wait_for()
    company.get_by_label("Описание практики").fill("Экскурсии на производство для школьников и жителей города")
    company.get_by_label("Сколько человек участвовало").fill("320")
    company.get_by_role("button", name="Отправить заявку").click()
    company.get_by_text("Заявка отправлена.").wait_for()
    application = Application.objects.get()
    assert application.status == "submitted"
    assert company.evaluate("document.documentElement.scrollWidth") <= 390

    # Applications close everywhere; the operator opens the regional review.
    close = max(r.end_of_day(contest.applications_close) for r in [application.region, f.region("39")])
    services.move_phase(actor=Actor(user=world.operator), contest=contest, to="regional_review",
                        now=close + dt.timedelta(seconds=1))

    _score(as_user(page, "juror@example.ru"), base, title, "9", "7")
    _score(as_user(page, "juror2@example.ru"), base, title, "6", "5")

    chair = as_user(page, "kirov.biz@example.ru")
    chair.goto(base + f"/contest/{contest.year}/chair/")
    chair.get_by_role("link", name="рейтинг").click()
    chair.get_by_text("Сырой балл").first.wait_for()
    assert chair.get_by_role("checkbox").is_checked()
    chair.get_by_role("button", name="Утвердить выход в национальный тур").click()
    chair.get_by_text("Итоги утверждены.").wait_for()
    application.refresh_from_db()
    assert application.status == "advanced"

    operator = as_user(page, "operator@example.ru")
    operator.goto(base + f"/contest/{contest.year}/manage/")
    operator.get_by_role("button", name="Перейти к этапу «Итоги регионального тура»").click()
    operator.get_by_role("button", name="Перейти к этапу «Национальная экспертиза»").click()
    operator.get_by_text("Этап конкурса изменён.").wait_for()
    operator.goto(base + f"/contest/{contest.year}/chair/")
    operator.get_by_role("link", name="шорт-лист и рейтинг").click()
    operator.get_by_role("link", name=title).wait_for()
    assert nomination.title in operator.content()
