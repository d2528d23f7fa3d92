"""Issue 11's flow in headless Chromium against the real ASGI server (uvicorn: HTTP and the quiz
socket): a host and three players in separate browser contexts play a three-question game to the
podium; one player reloads mid-game and keeps the score; the host attaches the game to the
school's «квиз» activity and its report shows three players."""

from __future__ import annotations

import shutil

import pytest

from qualityweek.activities.models import Activity
from tests import factories as f

from ..browser.conftest import CHROMIUM_ARGS, log_in

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise serves static files under ASGI through a synchronous iterator, which Django warns about.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, base, *, phone=False):
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844} if phone
                                  else {"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = base
    return page


def test_host_and_three_phones_play_to_the_podium_and_report(browser, asgi_server, world, school_quiz,
                                                             make_activity):
    base = f"http://{asgi_server}"
    activity = make_activity(type_code="quiz")
    host = _page(browser, base)
    log_in(host, "teacher@example.ru", f.PASSWORD)
    host.goto(f"{base}/quizzes/{school_quiz.pk}/")
    host.get_by_role("button", name="Начать игру").click()
    pin = host.locator("#pin").inner_text().strip()
    host.get_by_text("Ждём игроков").wait_for()

    players = []
    for name in ("Весёлый Енот", "Смелая Лиса", ""):
        phone = _page(browser, base, phone=True)
        phone.goto(f"{base}/play/?pin={pin}")
        phone.get_by_label("Имя в игре").fill(name)
        phone.get_by_role("button", name="Играть").click()
        phone.get_by_text("Ждём начала игры").wait_for()
        players.append(phone)
    # Nothing scrolls sideways on a 390 px phone.
    assert players[0].evaluate("document.documentElement.scrollWidth") <= 390
    host.locator("#lobby-count", has_text="3").wait_for()

    host.get_by_role("button", name="Начать игру").click()
    for phone, pick in zip(players, ("Роскачество", "Роскачество", "Магазин"), strict=True):
        phone.get_by_role("button", name=pick).click()
    host.get_by_text("Ответ показан").wait_for()
    players[0].locator("#feedback", has_text="Верно").wait_for()
    assert players[0].locator("#my-score").inner_text() == "1\u00a0000"  # grouped as every page writes numbers

    # A reload mid-game: the same player comes back with the points.
    players[0].reload()
    players[0].locator("#me", has_text="Весёлый Енот").wait_for()
    assert players[0].locator("#my-score").inner_text() == "1\u00a0000"

    host.get_by_role("button", name="Следующий вопрос").click()
    for phone, said in zip(players, ("роскачество", "Росстандарт", "Роскачество"), strict=True):
        phone.get_by_label("Ваш ответ").fill(said)
        phone.get_by_role("button", name="Ответить").click()
    host.get_by_text("Ответ показан").wait_for()
    host.get_by_role("button", name="Следующий вопрос").click()
    for phone, number in zip(players, ("1990", "1985", "2020"), strict=True):
        phone.get_by_label("Ваше число").fill(number)
        phone.keyboard.press("Enter")
    host.get_by_text("Ответ показан").wait_for()
    host.get_by_role("button", name="Показать итоги").click()  # no question left: the podium
    host.locator("#podium-list li").first.wait_for()
    assert host.locator("#podium-list li").first.inner_text().startswith("1. Весёлый Енот — 3\u00a0000")
    players[0].locator("#feedback", has_text="Ваше место: 1 из 3").wait_for()

    host.get_by_role("link", name="Результаты и отчёт").click()
    host.get_by_role("link", name="Учесть в отчёте о мероприятии").click()
    host.get_by_label("Мероприятие").select_option(value=str(activity.pk))
    host.get_by_label("Кто играл").select_option(value="pupils_5_9")
    host.get_by_role("button", name="Учесть в отчёте").click()
    host.get_by_text("Игроки учтены в отчёте").wait_for()
    host.get_by_role("link", name=f"№ {activity.pk}").click()
    host.get_by_role("row", name="Учащиеся 5–9 классов 3").wait_for()
    activity.refresh_from_db()
    assert activity.pupils_5_9 == 3
    assert Activity.objects.get(pk=activity.pk).status == "planned"


def test_a_phone_picks_a_team_at_join(browser, asgi_server, world, school_quiz):
    base = f"http://{asgi_server}"
    host = _page(browser, base)
    log_in(host, "teacher@example.ru", f.PASSWORD)
    host.goto(f"{base}/quizzes/{school_quiz.pk}/")
    host.get_by_label("Команды (необязательно)").fill("Синие\nЗелёные")
    host.get_by_role("button", name="Начать игру").click()
    pin = host.locator("#pin").inner_text().strip()
    phone = _page(browser, base, phone=True)
    phone.goto(f"{base}/play/?pin={pin}")
    phone.get_by_label("Имя в игре").fill("Смелая Лиса")
    phone.get_by_role("button", name="Играть").click()
    phone.locator("#join-error", has_text="Выберите команду").wait_for()
    phone.get_by_role("radio", name="Зелёные").check()
    phone.get_by_role("button", name="Играть").click()
    phone.get_by_text("Ждём начала игры").wait_for()
    assert phone.locator("#my-team").inner_text() == " · команда «Зелёные»"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    host.locator("#lobby-list li", has_text="Смелая Лиса — Зелёные").wait_for()
