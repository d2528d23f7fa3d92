"""The demo's quizzes: three library quizzes of 10+ questions, the Kirov teacher's copy, one
finished game whose stored totals add up, and the school's planned «квиз» a new game can count in."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from qualityweek.activities.demo import HOSTED_QUIZ_TITLE
from qualityweek.activities.models import Activity
from qualityweek.core import reporting
from qualityweek.quizzes import selectors
from qualityweek.quizzes.models import Answer, Game, Quiz

pytestmark = pytest.mark.django_db


def test_demo_library_copy_and_a_finished_game(client):
    call_command("load_demo", seed=7, organisations=60, verbosity=0)
    library = Quiz.objects.filter(organisation__isnull=True, is_published=True)
    assert library.count() == 3
    assert all(q.questions.count() >= 10 for q in library)
    assert {q.age_group for q in library} == {"5_9", "10_11", "adults"}
    copy = Quiz.objects.get(organisation__isnull=False)
    assert copy.copied_from in library
    assert copy.organisation.region.code == "43"
    game = Game.objects.get()
    assert game.status == "finished"
    assert game.player_count == 24
    for player in game.players.all():
        assert player.score == (Answer.objects.filter(player=player).aggregate(s=Sum("points"))["s"] or 0)
    results = selectors.results(game)
    assert results.questions[1].answered == 24
    assert results.questions[1].correct_share is not None
    client.force_login(copy.created_by)
    page = client.get(f"/quizzes/games/{game.pk}/results/").content.decode()
    assert "Весёлый Енот" in page
    assert "Учесть в отчёте" in page


def test_demo_teacher_has_a_planned_quiz_activity_to_count_a_game_in(db):
    call_command("load_demo", seed=7, organisations=60, verbosity=0)
    copy = Quiz.objects.get(organisation__isnull=False)
    targets = dict(reporting.report_targets(copy.created_by))
    hosted = [pk for pk, label in targets.items() if label.startswith(HOSTED_QUIZ_TITLE)]
    assert len(hosted) == 1
    activity = Activity.objects.get(pk=hosted[0])
    assert (activity.organisation_id, activity.status, activity.type.code) == (copy.organisation_id, "planned", "quiz")
    assert activity.starts_on == activity.campaign.quality_day
