import datetime as dt

import pytest

from qualityweek.campaigns import calendar


def second_thursday_by_counting(year: int) -> dt.date:
    thursdays = [dt.date(year, 11, d) for d in range(1, 31) if dt.date(year, 11, d).weekday() == 3]
    return thursdays[1]


@pytest.mark.parametrize("year", range(2016, 2041))
def test_quality_day_and_week_for_every_year(year):
    day = calendar.quality_day(year)
    start, end = calendar.quality_week(year)
    assert day == second_thursday_by_counting(year)
    assert start.weekday() == 0
    assert end.weekday() == 6
    assert (end - start).days == 6
    assert start <= day <= end
    assert calendar.report_deadline(year) == dt.date(year, 12, 15)


@pytest.mark.parametrize(("year", "week", "day"), [
    (2023, (dt.date(2023, 11, 6), dt.date(2023, 11, 12)), dt.date(2023, 11, 9)),   # seed 002 and 004
    (2024, (dt.date(2024, 11, 11), dt.date(2024, 11, 17)), dt.date(2024, 11, 14)),  # seed 000
    (2026, (dt.date(2026, 11, 9), dt.date(2026, 11, 15)), dt.date(2026, 11, 12)),
])
def test_dates_the_letters_state(year, week, day):
    assert calendar.quality_week(year) == week
    assert calendar.quality_day(year) == day
