import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from qualityweek.core.text import count_ru, date_range_ru, date_ru, datetime_ru, plural_ru, ru_number


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


def test_ru_number_groups_thousands_with_a_no_break_space():
    assert ru_number(1234567) == "1\u00a0234\u00a0567"
    assert ru_number(327723) == "327\u00a0723"
    assert ru_number(999) == "999"
    assert ru_number(0) == "0"
    assert ru_number(-12345) == "-12\u00a0345"
    assert ru_number(12.5, digits=1) == "12,5"
    assert ru_number(12345.67, digits=1) == "12\u00a0345,7"
    assert ru_number(Decimal("2500.5"), digits=2) == "2\u00a0500,50"
    assert ru_number(None) == "—"


def test_charts_use_the_one_helper():
    from qualityweek.core import charts

    assert charts.ru_number is ru_number


def test_count_ru_formats_its_number():
    assert count_ru(327723, "участник", "участника", "участников") == "327\u00a0723\u00a0участника"
    assert count_ru(1021, "день", "дня", "дней") == "1\u00a0021\u00a0день"
    assert count_ru(3, "день", "дня", "дней") == "3\u00a0дня"


def test_datetime_ru_has_the_genitive_month_and_the_time():
    assert datetime_ru(dt.datetime(2026, 12, 15, 18, 0)) == "15\u00a0декабря 2026\u00a0г., 18:00"  # noqa: DTZ001 - a naive moment is shown as it is
    aware = dt.datetime(2026, 12, 2, 6, 5, tzinfo=dt.UTC)  # Moscow is UTC+3
    assert datetime_ru(aware) == "2\u00a0декабря 2026\u00a0г., 09:05"


@pytest.mark.parametrize(("value", "arg", "expected"), [
    (327723, None, "327\u00a0723"), ("327723", None, "327\u00a0723"), (None, None, "—"), ("", None, "—"),
    (0, None, "0"), (12345.678, 1, "12\u00a0345,7"), (Decimal("0.5"), 1, "0,5"), ("н/д", None, "н/д"),
])
def test_num_filter(value, arg, expected):
    source = "{{ v|num:1 }}" if arg == 1 else "{{ v|num }}"
    assert Template(source).render(Context({"v": value})) == expected


def test_dates_with_time_in_templates():
    html = Template("{{ t|ru_datetime }}|{{ d|ru_datetime }}|{{ none|ru_datetime }}").render(
        Context({"t": dt.datetime(2026, 12, 15, 15, 0, tzinfo=dt.UTC), "d": dt.date(2026, 12, 2), "none": None}))
    assert html == "15\u00a0декабря 2026\u00a0г., 18:00|2\u00a0декабря 2026\u00a0г.|"


def test_template_filters():
    html = Template('{{ d|ru_date }} {{ n }} {{ n|plural:"день,дня,дней" }}').render(
        Context({"d": dt.date(2024, 11, 14), "n": 3}))
    assert html == "14\u00a0ноября 2024\u00a0г. 3 дня"


def test_strip_control_keeps_tabs_and_line_breaks():
    from qualityweek.core.text import strip_control, strip_control_deep

    assert strip_control("a\x00b\x0bc\x1fd\te\nf\rg\ufffe") == "abcd\te\nf\rg"
    assert strip_control_deep({"x": ["a\x07", ("b\x1b",)], "n": 3}) == {"x": ["a", ("b",)], "n": 3}


def test_time_zones_are_named_by_their_city():
    from qualityweek.core.timezones import timezone_choices, timezone_label

    winter = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    assert timezone_label("Europe/Kirov", winter) == "Киров (UTC+3)"
    assert timezone_label("Europe/Moscow", winter) == "Москва (UTC+3)"
    assert timezone_label("Asia/Kamchatka", winter) == "Камчатка (UTC+12)"
    assert timezone_label("") == ""
    assert timezone_choices()[0] == ("Europe/Kaliningrad", "Калининград (UTC+2)")
    html = Template("{{ z|tz_label }}").render(Context({"z": "Asia/Yekaterinburg"}))
    assert html == "Екатеринбург (UTC+5)"
