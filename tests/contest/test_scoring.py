"""The normalisation method (decision record 0022), tested on its own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualityweek.contest import scoring
from qualityweek.contest.scoring import Mark

# Pools in which every juror scores every application (at least MIN_SCORES of them).
totals = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))


@st.composite
def pools(draw, min_jurors: int = 1):
    n_apps = draw(st.integers(min_value=scoring.MIN_SCORES, max_value=9))
    n_jurors = draw(st.integers(min_value=min_jurors, max_value=4))
    return [Mark(juror=j, application=a, total=draw(totals)) for j in range(n_jurors) for a in range(n_apps)]


def _order_agrees(a: dict[int, float], b: dict[int, float]) -> bool:
    """Every pair the first ranking separates clearly is in the same order in the second."""
    ids = sorted(a)
    return all((a[x] - a[y]) * (b[x] - b[y]) > 0 for x in ids for y in ids if abs(a[x] - a[y]) > 1e-6)


def _by_app(marks: list[Mark]) -> dict[int, float]:
    return {row.application: row.normalised for row in scoring.rank(marks)}


@settings(max_examples=200, deadline=None)
@given(pool=pools(), shift=st.floats(min_value=-40, max_value=40), who=st.integers(min_value=0, max_value=3))
def test_adding_a_constant_to_one_jurors_scores_changes_no_ranking(pool, shift, who):
    who = who % (max(m.juror for m in pool) + 1)
    shifted = [Mark(m.juror, m.application, m.total + shift if m.juror == who else m.total) for m in pool]
    before, after = _by_app(pool), _by_app(shifted)
    assert _order_agrees(before, after)
    assert _order_agrees(after, before)


@settings(max_examples=200, deadline=None)
@given(pool=pools(), copies=st.integers(min_value=2, max_value=4))
def test_identical_jurors_give_the_raw_ranking(pool, copies):
    one = [m for m in pool if m.juror == 0]
    marks = [Mark(j, m.application, m.total) for j in range(copies) for m in one]
    rows = scoring.rank(marks)
    for row in rows:
        assert row.normalised == pytest.approx(row.raw, abs=1e-9)
    assert _order_agrees({r.application: r.raw for r in rows}, {r.application: r.normalised for r in rows})


def test_a_harsh_and_a_lenient_juror_are_put_on_one_scale():
    # The harsh juror scored A and B; the lenient one C and D. Raw means favour the lenient juror's
    # applications; the normalised ranking puts each juror's best first.
    harsh = [("A", 60), ("B", 20), ("e1", 30), ("e2", 25), ("e3", 35)]
    lenient = [("C", 85), ("D", 95), ("e4", 90), ("e5", 92), ("e6", 88)]
    ids = {name: i for i, name in enumerate([n for n, _ in harsh + lenient])}
    marks = [Mark(1, ids[n], t) for n, t in harsh] + [Mark(2, ids[n], t) for n, t in lenient]
    rows = {r.application: r for r in scoring.rank(marks)}
    assert rows[ids["A"]].raw < rows[ids["C"]].raw
    assert rows[ids["A"]].normalised > rows[ids["C"]].normalised
    assert rows[ids["A"]].rank < rows[ids["A"]].raw_rank


def test_jurors_with_fewer_than_five_scores_keep_their_raw_totals():
    marks = [Mark(1, a, t) for a, t in enumerate([10, 20, 30, 40])] + [Mark(2, a, 90.0) for a in range(6)]
    norm = scoring.normalise(marks)
    assert [norm[1, a] for a in range(4)] == [10, 20, 30, 40]
    mean = sum(m.total for m in marks) / len(marks)
    assert norm[2, 0] == pytest.approx(mean)  # a juror who gave all the same maps to the pool's mean


def test_outliers_are_scores_far_from_the_others():
    marks = [Mark(1, 7, 80), Mark(2, 7, 75), Mark(3, 7, 20), Mark(1, 8, 50), Mark(2, 8, 60)]
    assert scoring.outliers(marks) == {(3, 7)}


def test_weighted_total_maps_every_criterion_to_its_own_scale():
    scales = {1: scoring.Scale(weight=2, low=1, high=10), 2: scoring.Scale(weight=1, low=0, high=5)}
    assert scoring.weighted_total({1: 10, 2: 0}, scales) == pytest.approx(200 / 3)
    assert scoring.weighted_total({1: 1, 2: 5}, scales) == pytest.approx(100 / 3)
