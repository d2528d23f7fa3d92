"""Demo figures: the totals of the campaigns before the platform (2018–2024), as the operator would
enter them from the final letters (over 6 million pupils in the quality lesson in 2018–2023), and a
rebuild of the tallies so the dashboards match the demo activities exactly."""

from __future__ import annotations

from qualityweek.activities import tally
from qualityweek.activities.models import (
    ActivityTally,
    DayTally,
    Participation,
    RegionCount,
    RegionTally,
    TypeTally,
)
from qualityweek.core.demo import DemoContext

from . import denominators
from .models import Denominator, HistoricalTotal, Reminder

# year: (activities, organisations, regions, participants, pupils in the quality lesson)
HISTORY = {
    2018: (21_400, 9_800, 71, 780_000, 640_000),
    2019: (28_900, 12_600, 78, 1_010_000, 830_000),
    2020: (24_300, 11_900, 80, 1_090_000, 910_000),
    2021: (31_700, 14_200, 83, 1_250_000, 1_020_000),
    2022: (36_800, 16_100, 85, 1_430_000, 1_170_000),
    2023: (41_200, 17_900, 87, 1_690_000, 1_460_000),
    2024: (44_600, 19_300, 88, 1_820_000, 1_540_000),
}
SOURCE = "Демо: итоговое письмо оператора о проведении Всемирной недели качества"


def build(ctx: DemoContext) -> dict[str, int]:
    years = [y for y in HISTORY if y < ctx.today.year - 1]  # the last two campaigns have platform data
    HistoricalTotal.objects.bulk_create([
        HistoricalTotal(year=y, activities=HISTORY[y][0], organisations=HISTORY[y][1], regions=HISTORY[y][2],
                        participants=HISTORY[y][3], pupils_in_lesson=HISTORY[y][4], source=SOURCE) for y in years])
    rows = tally.rebuild()
    denominators.refresh_denominators()
    return {"итогов прошлых лет": len(years), "строк сводных показателей": rows}


def wipe() -> None:
    for model in (ActivityTally, RegionTally, TypeTally, DayTally, Participation, RegionCount, Denominator, Reminder,
                  HistoricalTotal):
        model.objects.all().delete()
