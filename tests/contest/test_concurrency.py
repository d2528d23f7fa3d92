"""PostgreSQL only: a double-submitted score and two chairs confirming at once never make a 500."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from qualityweek.contest import services
from qualityweek.contest.models import Contest, RoundResult, Score
from qualityweek.core.audit import Actor

from . import helpers as h

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")


def _race(*calls) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the test inspects what each thread met
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _pool(world):
    contest = h.contest(Contest.Phase.REGIONAL_REVIEW, close_in_days=-3, min_reviews=1)
    h.point_juror(world, contest)
    nomination = h.nomination(contest)
    return contest, nomination, h.application(nomination, world.kirov_company)


def test_a_double_submitted_score_is_one_score(world):
    _, nomination, app = _pool(world)

    def score():
        return services.save_score(actor=Actor(user=world.juror), application=app, values=h.values(7, 7, nomination))

    results = _race(score, score)
    assert all(isinstance(r, Score) for r in results), results
    assert Score.objects.count() == 1


def test_two_chairs_confirming_at_once_get_one_result_and_a_message(world):
    contest, nomination, app = _pool(world)
    services.save_score(actor=Actor(user=world.juror), application=app, values=h.values(7, 7, nomination))

    def confirm(user):
        return lambda: services.confirm_regional(actor=Actor(user=user), contest=contest, nomination=nomination,
                                                 region=app.region, advance=[app.pk])

    results = _race(confirm(world.kirov_edu), confirm(world.kirov_business))
    assert RoundResult.objects.count() == 1
    assert sum(isinstance(r, RoundResult) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
