"""Authoring, copying, games' records, results, exports and attaching a game to an activity —
services called directly, and the pages that call them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qualityweek.activities.models import Activity, ActivityType
from qualityweek.core.audit import Actor
from qualityweek.quizzes import exports, nicknames, selectors, services
from qualityweek.quizzes.models import Answer, Game, Question, Quiz


def _errors(**fields):
    base = {"kind": "single", "text": "Вопрос?", "options": ["А", "Б"], "correct": [0], "seconds": 20,
            "points": 1000}
    return services.validate_question(services._normalised_question(base | fields))


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"text": " "}, "text", "Напишите текст"),
    ({"seconds": 4}, "seconds", "от 5 секунд до 4 минут"),
    ({"seconds": 241}, "seconds", "от 5 секунд до 4 минут"),
    ({"points": 500}, "points", "0, 1000 или 2000"),
    ({"options": ["А"]}, "options", "от 2 до 6"),
    ({"options": ["А", "а"]}, "options", "повторяются"),
    ({"correct": []}, "options", "ровно один"),
    ({"kind": "multiple", "correct": []}, "options", "звёздочкой"),
    ({"kind": "typed", "accepted": []}, "accepted", "хотя бы один"),
    ({"kind": "estimate", "target": None}, "target", "верное число"),
    ({"kind": "estimate", "target": 5, "tolerance": -1}, "tolerance", "отрицательным"),
])
def test_question_errors_are_russian_and_by_field(fields, field, words):
    errors = _errors(**fields)
    assert words.lower() in errors[field].lower()


def test_valid_questions_of_every_type(world):
    assert not _errors()
    assert not _errors(seconds=None)  # untimed
    assert not _errors(kind="true_false", options=[], correct=[1])
    assert not _errors(kind="ordering", options=["1", "2", "3"], correct=[])
    assert not _errors(kind="poll", correct=[])
    assert not _errors(kind="slide", options=[])
    assert not _errors(kind="estimate", target=1990, tolerance=5)


def test_authoring_scopes_and_copying(world):
    op = Actor(user=world.operator)
    library = services.create_quiz(actor=op, organisation=None, title="Маркировка", is_published=True,
                                   age_group=Quiz.AgeGroup.ADULTS)
    services.save_question(actor=op, quiz=library, kind="true_false", text="«Честный знак» — система маркировки?",
                           correct=[0], seconds=15)
    with pytest.raises(PermissionDenied):  # a teacher does not edit the library
        services.save_question(actor=Actor(user=world.teacher), quiz=library, kind="slide", text="x")
    with pytest.raises(PermissionDenied):  # a coordinator writes no quizzes
        services.copy_quiz(actor=Actor(user=world.kirov_edu), quiz=library, organisation=world.kirov_school)
    with pytest.raises(PermissionDenied):  # nor does a teacher copy into a foreign organisation
        services.copy_quiz(actor=Actor(user=world.teacher), quiz=library, organisation=world.moscow_school)
    copy = services.copy_quiz(actor=Actor(user=world.teacher), quiz=library, organisation=world.kirov_school)
    assert copy.copied_from == library
    assert copy.questions.get().options == ["Верно", "Неверно"]
    services.save_question(actor=Actor(user=world.teacher), quiz=copy, question=copy.questions.get(),
                           kind="true_false", text="Изменено", correct=[1], seconds=None)
    assert library.questions.get().text.startswith("«Честный")  # the library is untouched
    assert set(selectors.quizzes_for(world.company_rep)) == {library}
    assert set(selectors.quizzes_for(world.teacher)) == {library, copy}
    with pytest.raises(ValidationError) as bad:
        services.save_question(actor=Actor(user=world.teacher), quiz=copy, kind="single", text="?",
                               options=["a"], correct=[0], seconds=3)
    assert set(bad.value.error_dict) == {"options", "seconds"}
    assert copy.questions.count() == 1  # nothing written


def test_question_page_shows_field_errors_in_russian(client, world, school_quiz):
    client.force_login(world.teacher)
    url = reverse("quiz_question_create", args=[school_quiz.pk])
    page = client.post(url, {"kind": "single", "text": "Что?", "options": "Да\nНет", "seconds": "2",
                             "points": "1000"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Отметьте ровно один верный вариант" in body
    assert "от 5 секунд до 4 минут" in body
    done = client.post(url, {"kind": "single", "text": "Что?", "options": "* Да\nНет", "seconds": "",
                             "points": "1000"})
    assert done.status_code == 302
    assert school_quiz.questions.last().seconds is None


def test_nicknames_filter_and_generator():
    for bad in ("сука", "Cука", "х у й", "ПИЗДЕЦ", "bля"):
        assert nicknames.check(bad), bad
    for fine in ("Рубля", "Гребля", "Весёлый Енот", "Маша", "Команда 5Б"):
        assert nicknames.check(fine) is None, fine
    assert nicknames.check("a")
    assert nicknames.check("<script>")
    for name in nicknames.GENERATED:  # every name the generator may give passes the checks
        assert nicknames.check(name) is None, name
        assert " " in name
    assert len(nicknames.GENERATED) > 300
    assert nicknames.generate() in nicknames.GENERATED


def _played(world, quiz):
    game = services.start_game(actor=Actor(user=world.teacher), quiz=quiz)
    services.record_round(actor=Actor.system(), game_id=game.pk, status=Game.Status.FINISHED, players=[
        {"id": 1, "nickname": "Весёлый Енот", "score": 2000, "kicked": False},
        {"id": 2, "nickname": "=1+2", "score": 1000, "kicked": False},
        {"id": 3, "nickname": "Смелая Лиса", "score": 0, "kicked": False},
    ], answers=[
        {"player_id": 1, "question": 0, "answer_id": "x1", "value": [0], "fraction": 1.0, "correct": True,
         "points": 1000, "elapsed": 2.0},
        {"player_id": 1, "question": 1, "answer_id": "x2", "value": "Роскачество", "fraction": 1.0,
         "correct": True, "points": 1000, "elapsed": 4.0},
        {"player_id": 2, "question": 0, "answer_id": "y1", "value": [0], "fraction": 1.0, "correct": True,
         "points": 1000, "elapsed": 6.0},
        {"player_id": 3, "question": 0, "answer_id": "z1", "value": [2], "fraction": 0.0, "correct": False,
         "points": 0, "elapsed": 8.0},
    ])
    return Game.objects.get(pk=game.pk)


def test_results_exports_and_idempotent_recording(world, school_quiz):
    game = _played(world, school_quiz)
    # Recording the same answers again (a retried flush) changes nothing.
    services.record_round(actor=Actor.system(), game_id=game.pk, status=Game.Status.FINISHED, players=[],
                          answers=[{"player_id": 1, "question": 0, "answer_id": "x1", "value": [0], "fraction": 1.0,
                                    "correct": True, "points": 1000, "elapsed": 2.0}])
    assert Answer.objects.filter(game=game).count() == 4
    results = selectors.results(game)
    first = results.questions[0]
    assert [o["count"] for o in first.options] == [2, 0, 1]
    assert first.correct_share == 67
    assert first.median_seconds == 6.0
    assert first.answered == 3
    assert [p["nickname"] for p in results.per_player] == ["Весёлый Енот", "=1+2", "Смелая Лиса"]
    assert results.per_player[0]["answers"] == [1000, 1000, None]
    csv_text = exports.as_csv(results).decode("utf-8-sig")
    assert "'=1+2" in csv_text
    assert "Весёлый Енот" in csv_text
    book = CalamineWorkbook.from_filelike(io.BytesIO(exports.as_xlsx(results)))
    rows = book.get_sheet_by_name("Игроки").to_python()
    assert rows[0][:4] == ["Место", "Имя в игре", "Команда", "Баллы"]
    assert rows[2][1] == "=1+2"


def test_attach_a_finished_game_to_the_schools_quiz_activity(client, world, school_quiz, make_activity):
    game = _played(world, school_quiz)
    quiz_activity = make_activity(type_code="quiz")
    lesson = make_activity(type_code="quality_lesson")
    client.force_login(world.teacher)
    url = reverse("quiz_game_attach", args=[game.pk])
    page = client.get(url)
    assert quiz_activity.title in page.content.decode()
    assert f'value="{lesson.pk}"' not in page.content.decode()  # only quizzes and intellectual games
    bad = client.post(url, {"activity": lesson.pk, "category": "pupils_5_9"})
    assert bad.status_code == 200
    assert "Выберите" in bad.content.decode()
    done = client.post(url, {"activity": quiz_activity.pk, "category": "pupils_5_9"})
    assert done.status_code == 302
    quiz_activity.refresh_from_db()
    assert quiz_activity.pupils_5_9 == 3
    assert reverse("quiz_game_results", args=[game.pk]) in quiz_activity.description
    game.refresh_from_db()
    assert game.activity_id == quiz_activity.pk
    assert game.activity_category == "pupils_5_9"
    again = client.post(url, {"activity": quiz_activity.pk, "category": "pupils_5_9"})
    assert again.status_code == 302
    quiz_activity.refresh_from_db()
    assert quiz_activity.pupils_5_9 == 3  # attached once only
    # A submitted report is no longer pre-filled.
    Activity.objects.filter(pk=quiz_activity.pk).update(status="submitted")
    other = _played(world, school_quiz)
    with pytest.raises(ValidationError):
        services.attach_game(actor=Actor(user=world.teacher), game=other, activity_id=quiz_activity.pk,
                             category="pupils_5_9", site_url="https://example.ru")
    assert ActivityType.objects.filter(code="quiz").exists()


def test_foreign_teacher_gets_404_for_quiz_game_and_results(client, world, school_quiz):
    game = _played(world, school_quiz)
    client.force_login(world.company_rep)
    for url in (reverse("quiz_detail", args=[school_quiz.pk]), reverse("quiz_game_results", args=[game.pk]),
                reverse("quiz_game_host", args=[game.pk]), reverse("quiz_game_export", args=[game.pk, "csv"])):
        assert client.get(url).status_code == 404, url


def test_host_page_has_the_pin_and_an_inline_qr_code(client, world, school_quiz):
    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz)
    client.force_login(world.teacher)
    body = client.get(reverse("quiz_game_host", args=[game.pk])).content.decode()
    assert game.pin in body
    assert "<svg" in body
    assert f"/play/?pin={game.pin}" in body
    assert "<script>" not in body
    assert ' style="' not in body
    assert Question.objects.filter(quiz=school_quiz).count() == 3


def test_old_games_are_purged_but_their_counts_stay(world, school_quiz):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    old = _played(world, school_quiz)
    Game.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=400))
    recent = _played(world, school_quiz)
    call_command("purge_quiz_games", days=365, verbosity=0)
    old.refresh_from_db()
    assert old.purged_at is not None
    assert old.player_count == 3
    assert not old.players.exists()
    assert not Answer.objects.filter(game=old).exists()
    assert recent.players.count() == 3
    assert services.purge_old_games(actor=Actor.system(), older_than_days=365) == 0


@pytest.mark.parametrize(("teams", "words"), [
    (["Синие"], "от 2 до 8"),
    ([f"Команда {n}" for n in range(9)], "от 2 до 8"),
    (["Синие", "синие "], "повторяются"),
    (["Синие", "Я" * 25], "не длиннее 24"),
])
def test_teams_of_a_game_are_checked(world, school_quiz, teams, words):
    with pytest.raises(ValidationError) as exc:
        services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, teams=teams)
    assert words in exc.value.message_dict["teams"][0]


def test_a_game_without_teams_ignores_blank_lines(world, school_quiz):
    assert services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz, teams=["", "  "]).teams == []
