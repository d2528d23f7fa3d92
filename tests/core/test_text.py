import datetime as dt

import pytest
from django.template import Context, Template

from qualityweek.core.text import date_range_ru, date_ru, plural_ru


@pytest.mark.parametrize(("n", "expected"), [
    (0, "дней"), (1, "день"), (2, "дня"), (4, "дня"), (5, "дней"), (11, "дней"), (12, "дней"), (14, "дней"),
    (21, "день"), (22, "дня"), (25, "дней"), (101, "день"), (111, "дней"), (112, "дней"), (1024, "дня"),
])
def test_plural_forms(n, expected):
    assert plural_ru(n, "день", "дня", "дней") == expected


def test_dates_as_letters_write_them():
    assert date_ru(dt.date(2026, 11, 12)) == "12\u00a0ноября 2026\u00a0г."
    assert date_range_ru(dt.date(2026, 11, 9), dt.date(2026, 11, 15)) == "9–15\u00a0ноября 2026\u00a0г."
    assert date_range_ru(dt.date(2026, 10, 30), dt.date(2026, 11, 5)) == "30\u00a0октября – 5\u00a0ноября 2026\u00a0г."


def test_template_filters():
    html = Template('{{ d|ru_date }} {{ n }} {{ n|plural:"день,дня,дней" }}').render(
        Context({"d": dt.date(2024, 11, 14), "n": 3}))
    assert html == "14\u00a0ноября 2024\u00a0г. 3 дня"


def test_strip_control_keeps_tabs_and_line_breaks():
    from qualityweek.core.text import strip_control, strip_control_deep

    assert strip_control("a\x00b\x0bc\x1fd\te\nf\rg\ufffe") == "abcd\te\nf\rg"
    assert strip_control_deep({"x": ["a\x07", ("b\x1b",)], "n": 3}) == {"x": ["a", ("b",)], "n": 3}
