"""Role x URL rows for quizzes and games (see tests/test_url_matrix.py)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from PIL import Image

from qualityweek.core.audit import Actor
from qualityweek.quizzes import services
from qualityweek.quizzes.models import Game, Quiz
from tests.matrix import Route, all_, signed_in


def objects(world) -> dict:
    library = services.create_quiz(actor=Actor(user=world.operator), organisation=None, title="Знак качества",
                                   age_group=Quiz.AgeGroup.GRADES_5_9, is_published=True)
    services.save_question(actor=Actor(user=world.operator), quiz=library, kind="single", text="Вопрос?",
                           options=["Да", "Нет"], correct=[0], seconds=20)
    own = services.copy_quiz(actor=Actor(user=world.teacher), quiz=library, organisation=world.kirov_school)
    lobby = services.start_game(actor=Actor(user=world.teacher), quiz=own)
    finished = services.start_game(actor=Actor(user=world.teacher), quiz=own)
    Game.objects.filter(pk=finished.pk).update(status=Game.Status.FINISHED, player_count=3)
    question = own.questions.get()
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(picture, "PNG")
    question = services.save_question(actor=Actor(user=world.teacher), quiz=own, question=question,
                                      kind="single", text="Вопрос?", options=["Да", "Нет"], correct=[0], seconds=20,
                                      image=picture, image_alt="Красный прямоугольник")
    homework = services.start_homework(actor=Actor(user=world.teacher), quiz=own,
                                       closes_at=timezone.now() + dt.timedelta(days=2))
    return {"library_quiz": library, "own_quiz": own, "own_question": question,
            "lobby_game": lobby, "finished_game": finished, "homework_game": homework}


def _pk(name: str):
    return lambda o: {"pk": o[name].pk}


# Only the school's representative and teacher reach their organisation's quizzes and games.
SCHOOL = {"school_rep": 200, "teacher": 200}
SCHOOL_POST = {"school_rep": 302, "teacher": 302}
NOT_AUTHOR = {"kirov_edu": 403, "kirov_business": 403, "juror": 403, "forum_staff": 403}

ROUTES: dict[str, Route] = {
    "quiz_list": Route(expect=signed_in(200)),
    "quiz_create": Route(expect=signed_in(200, **NOT_AUTHOR)),
    "quiz_import": Route(expect=signed_in(200, **NOT_AUTHOR)),
    "quiz_import_template": Route(expect=signed_in(200, **NOT_AUTHOR)),
    "quiz_detail": Route(kwargs=_pk("own_quiz"), expect=signed_in(404, **SCHOOL)),
    "quiz_export": Route(kwargs=lambda o: {"pk": o["own_quiz"].pk, "fmt": "xlsx"}, expect=signed_in(404, **SCHOOL)),
    "quiz_edit": Route(kwargs=_pk("own_quiz"), expect=signed_in(404, **SCHOOL)),
    # A published library quiz is visible to everyone signed in; only authors of an organisation copy it.
    "quiz_copy": Route(kwargs=_pk("library_quiz"), method="POST", expect=signed_in(403, **SCHOOL_POST)),
    "quiz_question_create": Route(kwargs=_pk("own_quiz"), expect=signed_in(404, **SCHOOL)),
    "quiz_question_edit": Route(kwargs=lambda o: {"pk": o["own_quiz"].pk, "question_pk": o["own_question"].pk},
                                expect=signed_in(404, **SCHOOL)),
    "quiz_question_delete": Route(kwargs=lambda o: {"pk": o["own_quiz"].pk, "question_pk": o["own_question"].pk},
                                  method="POST", expect=signed_in(404, **SCHOOL_POST)),
    "quiz_game_create": Route(kwargs=_pk("own_quiz"), method="POST", expect=signed_in(404, **SCHOOL_POST)),
    "quiz_game_host": Route(kwargs=_pk("lobby_game"), expect=signed_in(404, **SCHOOL)),
    "quiz_game_results": Route(kwargs=_pk("finished_game"), expect=signed_in(404, **SCHOOL)),
    "quiz_game_export": Route(kwargs=lambda o: {"pk": o["finished_game"].pk, "fmt": "xlsx"},
                              expect=signed_in(404, **SCHOOL)),
    "quiz_game_attach": Route(kwargs=_pk("finished_game"), expect=signed_in(404, **SCHOOL)),
    "quiz_play": Route(expect=all_(200)),
    "quiz_question_image": Route(kwargs=lambda o: {"pk": o["own_quiz"].pk, "question_pk": o["own_question"].pk},
                                 expect=signed_in(404, **SCHOOL)),
    "quiz_homework_create": Route(kwargs=_pk("own_quiz"), method="POST", expect=signed_in(404, **SCHOOL_POST)),
    "quiz_game_close": Route(kwargs=_pk("homework_game"), method="POST", expect=signed_in(404, **SCHOOL_POST)),
    # A game's picture: its host's colleagues by session, players by the key in the URL; nobody else.
    "quiz_game_image": Route(kwargs=lambda o: {"pk": o["homework_game"].pk, "n": 0}, expect={**all_(404), **SCHOOL}),
    # The homework link is the secret: anyone who has it plays (a nickname only).
    "quiz_homework_play": Route(kwargs=lambda o: {"code": o["homework_game"].code}, expect=all_(200)),
}

# One socket for players and hosts: anyone connects; what they may do is decided per frame.
SOCKETS: dict[str, dict[str, int | str]] = {"ws_quiz": all_("accept")}
