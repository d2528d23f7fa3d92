"""Self-paced (homework) games and question pictures: services called directly, and the pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.core.text import date_ru
from qualityweek.core.timezones import timezone_label
from qualityweek.directory.models import Role
from qualityweek.quizzes import engine, selectors, services
from qualityweek.quizzes.models import Answer, Game, Player
from tests import factories as f


def _png(size=(300, 200), fmt="PNG", exif=False) -> io.BytesIO:
    out = io.BytesIO()
    image = Image.new("RGB", size, (20, 120, 200))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(out, fmt, **kwargs)
    out.seek(0)
    return out


@pytest.fixture
def homework(world, school_quiz):
    return services.start_homework(actor=Actor(user=world.teacher), quiz=school_quiz,
                                   closes_at=timezone.now() + dt.timedelta(days=1))


def _url(game: Game) -> str:
    return reverse("quiz_homework_play", args=[game.code])


# --- services ---------------------------------------------------------------------------------------------

def test_closing_time_bounds_are_russian(world, school_quiz):
    actor = Actor(user=world.teacher)
    with pytest.raises(ValidationError, match="не раньше чем через 10 минут"):
        services.start_homework(actor=actor, quiz=school_quiz, closes_at=timezone.now() + dt.timedelta(minutes=2))
    with pytest.raises(ValidationError, match="не дальше чем через 60 дней"):
        services.start_homework(actor=actor, quiz=school_quiz, closes_at=timezone.now() + dt.timedelta(days=61))


def test_homework_is_not_reachable_by_pin(homework):
    assert homework.pin == ""
    assert homework.status == Game.Status.RUNNING
    assert selectors.live_game_by_pin("") is None


def test_each_player_at_their_own_pace_and_an_answer_counts_once(homework):
    anna = services.join_homework(game=homework, nickname="Анна")
    boris = services.join_homework(game=homework, nickname="")  # a generated nickname
    assert boris.nickname
    assert boris.number == 2
    with pytest.raises(engine.Refused, match="уже занято"):
        services.join_homework(game=homework, nickname="анна")
    assert services.serve_question(game=homework, player=anna) == 0
    first = services.homework_answer(game=homework, player=anna, question=0, value=[0])
    assert first["correct"] is True
    assert first["points"] == 1000
    assert not first["duplicate"]
    again = services.homework_answer(game=homework, player=anna, question=0, value=[1])  # a double tap / refresh
    assert again["duplicate"]
    assert again["points"] == 1000
    assert Answer.objects.filter(player=anna).count() == 1
    anna.refresh_from_db()
    assert (anna.score, anna.position) == (1000, 1)
    # Boris is still on the first question: his pace is his own.
    assert services.serve_question(game=homework, player=boris) == 0


def test_timed_question_runs_from_its_showing_on_the_server(homework):
    player = services.join_homework(game=homework, nickname="Вера")
    shown = timezone.now()
    services.serve_question(game=homework, player=player, now=shown)
    services.serve_question(game=homework, player=player, now=shown + dt.timedelta(seconds=20))  # a refresh
    player.refresh_from_db()
    assert player.served_at == shown  # the clock is not restarted
    with pytest.raises(engine.Refused, match="Время на ответ вышло"):
        services.homework_answer(game=homework, player=player, question=0, value=[0],
                                 now=shown + dt.timedelta(seconds=45))
    player.refresh_from_db()
    assert player.position == 1
    assert player.score == 0
    assert not Answer.objects.filter(player=player).exists()


def test_after_the_closing_time_answers_and_joins_are_refused(homework):
    player = services.join_homework(game=homework, nickname="Глеб")
    services.serve_question(game=homework, player=player)
    later = homework.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(services.Closed, match="Приём ответов закрыт"):
        services.homework_answer(game=homework, player=player, question=0, value=[0], now=later)
    with pytest.raises(services.Closed, match="Приём ответов закрыт"):
        services.join_homework(game=homework, nickname="Дина", now=later)


def test_results_and_attach_once(world, homework, make_activity):
    quiz_activity = make_activity(type_code="quiz")
    player = services.join_homework(game=homework, nickname="Анна")
    services.serve_question(game=homework, player=player)
    services.homework_answer(game=homework, player=player, question=0, value=[0])
    actor = Actor(user=world.teacher)
    with pytest.raises(ValidationError, match="после срока"):
        services.attach_game(actor=actor, game=homework, activity_id=quiz_activity.pk, category="pupils_5_9",
                             site_url="http://testserver")
    services.close_homework(actor=actor, game=homework)
    results = selectors.results(Game.objects.get(pk=homework.pk))
    assert results.questions[0].answered == 1
    assert results.questions[0].correct_share == 100
    assert results.per_player[0]["nickname"] == "Анна"
    services.attach_game(actor=actor, game=homework, activity_id=quiz_activity.pk, category="pupils_5_9",
                         site_url="http://testserver")
    with pytest.raises(ValidationError, match="уже учтена"):
        services.attach_game(actor=actor, game=homework, activity_id=quiz_activity.pk, category="pupils_5_9",
                             site_url="http://testserver")


# --- pages ----------------------------------------------------------------------------------------------------

def test_host_creates_homework_in_the_organisations_time_zone(world, school_quiz, client):
    client.force_login(world.teacher)
    day = (timezone.now() + dt.timedelta(days=3)).date()
    response = client.post(reverse("quiz_homework_create", args=[school_quiz.pk]),
                           {"closes_on": day.isoformat(), "closes_time": "18:00", "scoring": "accuracy"})
    game = Game.objects.get(mode=Game.Mode.HOMEWORK)
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz_game_host", args=[game.pk])
    zone = world.kirov_school.region.zone
    assert game.closes_at.astimezone(zone).replace(tzinfo=None) == dt.datetime.combine(day, dt.time(18))
    page = client.get(response["Location"]).content.decode()
    assert game.code in page
    assert "<svg" in page
    # the closing time reads in Russian, in the school's own zone: «8 декабря 2026 г., 18:00 (Киров, UTC+3)»
    assert f"{date_ru(day)}, 18:00 ({timezone_label(zone.key)})" in page
    assert "Europe/" not in page


def test_a_refresh_continues_where_the_player_was_and_keeps_the_score(homework):
    pupil = Client()
    url = _url(homework)
    assert "Имя в игре" in pupil.get(url).content.decode()
    assert pupil.post(url, {"action": "join", "nickname": "Енот"}).status_code == 302
    page = pupil.get(url).content.decode()
    assert "Вопрос 1 из 3" in page
    assert "Кто присваивает" in page
    feedback = pupil.post(url, {"action": "answer", "question": "0", "choice": "0"}).content.decode()
    assert "Верно! +1\u00a0000" in feedback
    # The same form posted again (a reload of the POST): counted once.
    repeat = pupil.post(url, {"action": "answer", "question": "0", "choice": "0"}).content.decode()
    assert "уже был засчитан" in repeat
    assert Player.objects.get(game=homework).score == 1000
    # A reload shows the next question, with the score kept.
    page = pupil.get(url).content.decode()
    assert "Вопрос 2 из 3" in page
    assert "1\u00a0000 баллов" in page
    assert "Выберите или введите ответ" in pupil.post(url, {"action": "answer", "question": "1"}).content.decode()
    pupil.post(url, {"action": "answer", "question": "1", "text": "роскачество"})
    pupil.post(url, {"action": "answer", "question": "2", "number": "1990"})
    done = pupil.get(url).content.decode()
    assert "Ваши баллы: <strong>3\u00a0000</strong>" in done
    # Another browser (no cookie) is a new player, never this one.
    assert "Имя в игре" in Client().get(url).content.decode()


def test_closed_homework_refuses_answers_in_russian(homework):
    pupil = Client()
    url = _url(homework)
    pupil.post(url, {"action": "join", "nickname": "Енот"})
    pupil.get(url)
    Game.objects.filter(pk=homework.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    response = pupil.post(url, {"action": "answer", "question": "0", "choice": "0"})
    assert response.status_code == 403
    assert "Приём ответов закрыт" in response.content.decode()
    assert not Answer.objects.exists()
    assert "Приём ответов закрыт" in Client().get(url).content.decode()


def test_joining_is_rate_limited_per_address(homework, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "quiz_homework_join_ip": "3/m"}
    url = _url(homework)
    codes = [Client().post(url, {"action": "join", "nickname": ""}).status_code for _ in range(5)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]
    assert Player.objects.filter(game=homework).count() == 3


def test_foreign_teacher_gets_404(world, homework, client):
    stranger = f.user(Role.TEACHER, org=world.moscow_school, email="moscow.teacher@example.ru")
    client.force_login(stranger)
    for name, method in (("quiz_game_host", "get"), ("quiz_game_results", "get"), ("quiz_game_close", "post")):
        assert getattr(client, method)(reverse(name, args=[homework.pk])).status_code == 404, name
    assert client.post(reverse("quiz_homework_create", args=[homework.quiz_id])).status_code == 404
    assert client.get(reverse("quiz_game_image", args=[homework.pk, 0])).status_code == 404


# --- pictures ---------------------------------------------------------------------------------------------------

def _save(world, quiz, **kwargs):
    return services.save_question(actor=Actor(user=world.teacher), quiz=quiz, kind="single", text="Что на картинке?",
                                  options=["Знак", "Не знак"], correct=[0], seconds=20, **kwargs)


def test_question_picture_is_reencoded_without_exif(world, school_quiz):
    question = _save(world, school_quiz, image=_png((2400, 1200), "JPEG", exif=True), image_alt="Знак качества")
    data = files.read_bytes(question.image)
    assert data[:3] == b"\xff\xd8\xff"
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert max(stored.size) == services.IMAGE_MAX_SIDE
        assert not stored.getexif()
    assert question.spec()["image"] == question.image
    assert question.spec()["image_alt"] == "Знак качества"


@pytest.mark.parametrize(("upload", "alt", "field", "words"), [
    (io.BytesIO(b"GIF89a not a picture at all"), "Описание", "image", "не изображение"),
    (_png((50, 50)), "Описание", "image", "слишком маленькое"),
    (_png(), "  ", "image_alt", "Опишите изображение"),
])
def test_bad_pictures_are_refused_in_russian(world, school_quiz, upload, alt, field, words):
    upload.seek(0)
    with pytest.raises(ValidationError) as error:
        _save(world, school_quiz, image=upload, image_alt=alt)
    assert words in " ".join(error.value.message_dict[field])


def test_too_large_picture_is_refused(world, school_quiz, monkeypatch):
    monkeypatch.setattr(services, "IMAGE_RULES", dataclasses.replace(services.IMAGE_RULES, max_bytes=1000))
    with pytest.raises(ValidationError) as error:
        _save(world, school_quiz, image=_png((600, 600)), image_alt="Описание")
    assert "Файл больше" in error.value.message_dict["image"][0]


def test_picture_reaches_players_of_that_game_only(world, school_quiz):
    _save(world, school_quiz, image=_png(), image_alt="Синий прямоугольник")
    game = services.start_homework(actor=Actor(user=world.teacher), quiz=school_quiz,
                                   closes_at=timezone.now() + dt.timedelta(days=1))
    index = len(game.questions) - 1
    url = selectors.image_url(game.pk, index)
    assert Client().get(url).status_code == 200  # the key the game hands its players
    assert Client().get(url.split("?")[0]).status_code == 404  # no key
    other = selectors.image_url(game.pk + 1, index)
    assert Client().get(other.split("?")[0] + "?" + url.split("?")[1]).status_code == 404  # a key of another game
    # The player's page shows it with its alt text.
    pupil = Client()
    pupil.post(_url(game), {"action": "join", "nickname": "Енот"})
    Player.objects.filter(game=game).update(position=index)
    page = pupil.get(_url(game)).content.decode()
    assert 'alt="Синий прямоугольник"' in page
