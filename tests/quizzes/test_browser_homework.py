"""A homework (self-paced) run in headless Chromium on a 390 px phone, without any script of ours:
the teacher sets the quiz as homework, a pupil opens the link, answers with a picture question on
screen, reloads mid-way and continues with the score kept, and the teacher sees the results."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from qualityweek.core.audit import Actor
from qualityweek.quizzes import services
from qualityweek.quizzes.models import Game
from tests import factories as f

from ..browser.conftest import log_in
from .test_browser import _page, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_homework_on_a_phone(browser, asgi_server, world, school_quiz):  # noqa: F811
    base = f"http://{asgi_server}"
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 90, 160)).save(picture, "PNG")
    services.save_question(actor=Actor(user=world.teacher), quiz=school_quiz, kind="true_false",
                           text="На картинке синий прямоугольник?", correct=[0], seconds=60,
                           image=picture, image_alt="Синий прямоугольник")
    host = _page(browser, base)
    log_in(host, "teacher@example.ru", f.PASSWORD)
    host.goto(f"{base}/quizzes/{school_quiz.pk}/")
    day = (timezone.now() + dt.timedelta(days=2)).astimezone(world.kirov_school.region.zone).date()
    host.get_by_label("Принимать ответы до (дата)").fill(day.isoformat())
    host.get_by_role("button", name="Создать ссылку").click()
    link = host.locator("#hw-link").input_value()
    assert "/play/hw/" in link

    phone = _page(browser, base, phone=True)
    phone.goto(link)
    phone.get_by_label("Имя в игре").fill("Смелая Лиса")
    phone.get_by_role("button", name="Начать").click()
    phone.get_by_text("Вопрос 1 из 4").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("А. Роскачество").check()
    phone.get_by_role("button", name="Ответить").click()
    phone.get_by_text("Верно! +1\u00a0000").wait_for()
    phone.get_by_role("link", name="Следующий вопрос").click()
    phone.get_by_text("Вопрос 2 из 4").wait_for()
    phone.reload()  # a refresh continues where the pupil was, score kept
    phone.get_by_text("Вопрос 2 из 4").wait_for()
    assert "1\u00a0000 баллов" in phone.locator(".player-bar").inner_text()
    phone.get_by_label("Ваш ответ").fill("роскачество")
    phone.get_by_role("button", name="Ответить").click()
    phone.get_by_role("link", name="Следующий вопрос").click()
    phone.get_by_label("Ваше число").fill("1990")
    phone.get_by_role("button", name="Ответить").click()
    phone.get_by_role("link", name="Следующий вопрос").click()
    image = phone.get_by_role("img", name="Синий прямоугольник")
    image.wait_for()
    assert phone.evaluate("document.querySelector('.qimage').naturalWidth") > 0  # the picture loaded
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("А. Верно").check()
    phone.get_by_role("button", name="Ответить").click()
    phone.get_by_role("link", name="К итогам").click()
    phone.get_by_text("Ваши баллы: 4\u00a0000").wait_for()

    game = Game.objects.get(mode=Game.Mode.HOMEWORK)
    host.goto(f"{base}/quizzes/games/{game.pk}/results/")
    host.get_by_role("rowheader", name="Смелая Лиса").wait_for()
