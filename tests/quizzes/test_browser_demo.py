"""Issue 11's «Done when», walked as a new user on the demo data (``load_demo``), in headless
Chromium against the real ASGI server: the Kirov teacher (a printed demo login) copies a library
quiz, starts a game, three 390 px phones join by PIN with nicknames, the whole quiz is played to
the podium, one phone reloads mid-question and keeps its points, and the game is counted in the
school's planned «квиз» activity that the demo ships."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Sum

from qualityweek.activities.demo import HOSTED_QUIZ_TITLE
from qualityweek.activities.models import Activity
from qualityweek.core.text import ru_number
from qualityweek.directory.demo import DEMO_PASSWORD, DEMO_USERS
from qualityweek.directory.models import Role
from qualityweek.quizzes.library import QUALITY_MARK
from qualityweek.quizzes.models import Answer, Game, Player, Quiz

from ..browser.conftest import log_in
from .test_browser import _page, browser  # noqa: F401 - the fixture is used by name

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

TEACHER = next(u.email for u in DEMO_USERS if u.role == Role.TEACHER)
# Who answers how: the first phone always right, the second right on every other question, the
# third (a generated nickname) always wrong — so the podium's order does not depend on chance.
SKILL = {0: lambda n: True, 1: lambda n: n % 2 == 0, 2: lambda n: False}


def _answer(phone, q: dict, right: bool) -> None:
    """Answer one question on the phone the way a pupil would, with the question's own widgets."""
    kind, options = q["kind"], q["options"]

    if kind in ("single", "true_false"):
        wrong = next(i for i in range(len(options)) if i not in q["correct"])
        pick = options[q["correct"][0] if right else wrong]
        phone.locator("#answers button.answer .text").get_by_text(pick, exact=True).click()
    elif kind == "poll":
        phone.locator("#answers button.answer .text").get_by_text(options[0], exact=True).click()
    elif kind == "multiple":
        picks = q["correct"] if right else q["correct"][:1]
        for i in picks:
            phone.locator("#answers button.answer .text").get_by_text(options[i], exact=True).click()
        phone.locator("#answers").get_by_role("button", name="Ответить").click()
    elif kind == "typed":
        phone.get_by_label("Ваш ответ").fill(q["accepted"][0].lower() if right else "Росстандарт")
        phone.get_by_role("button", name="Ответить").click()
    elif kind == "estimate":
        phone.get_by_label("Ваше число").fill(str(int(q["target"])) if right else str(int(q["target"]) + 500))
        phone.keyboard.press("Enter")
    elif kind == "ordering":  # sent as shown (shuffled): partial credit for everyone, at most one question's points
        phone.locator("#answers").get_by_role("button", name="Ответить").click()
    if kind != "slide":
        phone.locator("#feedback:not(:empty)").wait_for()  # sent (or already scored, for the last one)


def test_kirov_teacher_plays_a_library_quiz_on_the_demo_and_counts_it(browser, asgi_server):  # noqa: F811
    call_command("load_demo", seed=7, organisations=60, verbosity=0)
    activity = Activity.objects.get(title=HOSTED_QUIZ_TITLE)
    assert activity.status == "planned"
    assert activity.type.code == "quiz"
    before = activity.pupils_5_9
    base = f"http://{asgi_server}"

    host = _page(browser, base)
    log_in(host, TEACHER, DEMO_PASSWORD)
    host.goto(f"{base}/quizzes/")
    host.locator("h2:has-text('Библиотека') + ul").get_by_role("link", name=QUALITY_MARK["title"]).click()
    host.get_by_role("button", name="Скопировать квиз").click()
    host.get_by_text("Квиз скопирован в вашу организацию").wait_for()
    copy = Quiz.objects.filter(organisation=activity.organisation, title=QUALITY_MARK["title"]).latest("pk")
    assert copy.copied_from.is_library
    assert copy.questions.count() == len(QUALITY_MARK["questions"])
    host.get_by_role("button", name="Начать игру").click()
    pin = host.locator("#pin").inner_text().strip()
    host.get_by_text("Ждём игроков").wait_for()
    game = Game.objects.get(pin=pin, status="lobby")
    questions = game.questions

    phones = []
    for name in ("Весёлый Енот", "Смелая Лиса", ""):
        phone = _page(browser, base, phone=True)
        phone.goto(f"{base}/play/")
        phone.get_by_label("PIN игры").fill(pin)
        phone.get_by_label("Имя в игре").fill(name)
        phone.get_by_role("button", name="Играть").click()
        phone.get_by_text("Ждём начала игры").wait_for()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phones.append(phone)
    host.locator("#lobby-count", has_text="3").wait_for()
    generated = phones[2].locator("#me").inner_text().strip()
    assert generated
    assert len(generated.split()) == 2

    host.get_by_role("button", name="Начать игру").click()
    reloaded = False
    for n, q in enumerate(questions):
        host.locator("#host-qnum", has_text=f"Вопрос {n + 1} из {len(questions)}").wait_for()
        for phone in phones:
            phone.locator("#qtext", has_text=q["text"][:40]).wait_for()
        if not reloaded and n >= len(questions) // 2 and q["kind"] == "single":
            # A reload in the middle of an open question: the same player, same points, can still answer.
            score = phones[0].locator("#my-score").inner_text()
            assert score == ru_number(int(score.replace("\u00a0", "")))  # «8 250», grouped as every page
            # The server stores each closed question's answers; the phone shows their sum.
            stored = Answer.objects.filter(game=game, player__nickname="Весёлый Енот").aggregate(s=Sum("points"))
            assert int(score.replace("\u00a0", "")) == stored["s"] > 0
            phones[0].reload()
            phones[0].locator("#me", has_text="Весёлый Енот").wait_for()
            phones[0].locator("#qtext", has_text=q["text"][:40]).wait_for()
            assert phones[0].locator("#my-score").inner_text() == score
            assert phones[0].evaluate("document.documentElement.scrollWidth") <= 390
            reloaded = True
        for i, phone in enumerate(phones):
            _answer(phone, q, SKILL[i](n))
        if q["kind"] == "slide":
            host.get_by_role("button", name="Показать ответ").click()
        host.locator("#host-status", has_text="Ответ показан").wait_for()
        last = n == len(questions) - 1
        host.get_by_role("button", name="Показать итоги" if last else "Следующий вопрос").click()
    assert reloaded

    host.locator("#podium-list li").first.wait_for()
    players = {p.nickname: p for p in Player.objects.filter(game=game)}
    assert set(players) == {"Весёлый Енот", "Смелая Лиса", generated}
    assert players["Весёлый Енот"].score > players["Смелая Лиса"].score > players[generated].score
    podium = host.locator("#podium-list li").all_inner_texts()
    assert podium[0] == f"1. Весёлый Енот — {ru_number(players['Весёлый Енот'].score)}"
    phones[0].locator("#feedback", has_text="Ваше место: 1 из 3").wait_for()
    phones[2].locator("#feedback", has_text="Ваше место: 3 из 3").wait_for()
    game.refresh_from_db()
    assert game.status == "finished"
    assert game.player_count == 3

    host.get_by_role("link", name="Результаты и отчёт").click()
    host.get_by_role("link", name="Учесть в отчёте о мероприятии").click()
    host.get_by_label("Мероприятие").select_option(value=str(activity.pk))
    host.get_by_label("Кто играл").select_option(value="pupils_5_9")
    host.get_by_role("button", name="Учесть в отчёте").click()
    host.get_by_text("Игроки учтены в отчёте").wait_for()
    host.get_by_role("link", name=f"№ {activity.pk}").click()
    host.get_by_role("row", name=f"Учащиеся 5–9 классов {before + 3}").wait_for()
    activity.refresh_from_db()
    assert activity.pupils_5_9 == before + 3
    assert f"/quizzes/games/{game.pk}/results/" in activity.description
    game.refresh_from_db()
    assert game.activity_id == activity.pk
