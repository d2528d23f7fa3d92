from __future__ import annotations

import pytest

from qualityweek.core.audit import Actor
from qualityweek.quizzes import services
from qualityweek.quizzes.models import Quiz


@pytest.fixture
def school_quiz(world):
    """A three-question quiz of the Kirov school, written by its teacher."""
    actor = Actor(user=world.teacher)
    quiz = services.create_quiz(actor=actor, organisation=world.kirov_school, title="Знак качества: разминка",
                                age_group=Quiz.AgeGroup.GRADES_5_9)
    services.save_question(actor=actor, quiz=quiz, kind="single", text="Кто присваивает Знак качества?",
                           options=["Роскачество", "Магазин", "Сам производитель"], correct=[0], seconds=30)
    services.save_question(actor=actor, quiz=quiz, kind="typed", text="Как сокращённо называют Российскую систему "
                           "качества?", accepted=["Роскачество"], seconds=30)
    services.save_question(actor=actor, quiz=quiz, kind="estimate", text="В каком году учреждён Всемирный день "
                           "качества?", target=1990, tolerance=10, seconds=30)
    return quiz
