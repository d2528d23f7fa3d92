"""The rules of tests/text_check.py that every page (the role x URL matrix) and every captured e-mail
pass: numeric dates, and numbers not grouped with a no-break space."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives

from tests.text_check import date_number_problems, mail_problems, text_problems

NBSP = "\u00a0"


def _page(body: str) -> str:
    return f"<!doctype html><html lang=ru><head><title>Страница</title></head><body>{body}</body></html>"


# --- (a) numeric dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "<p>Отчёт принят 15.12.2026</p>",
    "<td>1.2.2026</td>",
    "<p>Срок — до 05.11.2026 г.</p>",
    "<p>Создано 15.12.2026 18:00</p>",
    "<time datetime='2026-12-15'>15.12.2026</time>",  # a <time> is a code for numbers, not for dates
])
def test_a_numeric_date_in_visible_text_is_flagged(body):
    problems = text_problems(_page(body))
    assert any(p.startswith("numeric dates") for p in problems), problems


@pytest.mark.parametrize("body", [
    f"<p>Отчёт принят 15{NBSP}декабря 2026{NBSP}г., 18:00</p>",
    "<input type=date value='2026-12-15'><a href='/x/?from=15.12.2026'>Ссылка</a>",  # attributes
    "<p data-date='15.12.2026'>Срок</p>",
    "<code>15.12.2026</code>",
    "<p>Версия 6.1.12, раздел 3.2.1</p>",
    "<p>Выгрузка: otchet-15.12.2026.xlsx</p>",  # a file name
    "<p>Время 12.30, рейтинг 4.5</p>",
])
def test_dates_in_words_attributes_and_file_names_pass(body):
    assert not [p for p in text_problems(_page(body)) if p.startswith("numeric dates")]


# --- (b) numbers: grouped with a no-break space, never a space, a comma or not at all -----------------

@pytest.mark.parametrize(("body", "shown"), [
    ("<p>Участников: 327 723</p>", "327 723"),
    ("<p>Участников: 1 327 723</p>", "1 327 723"),
    ("<p>Участников: 327,723</p>", "327,723"),
    ("<p>Всего 12 500 учеников.</p>", "12 500"),
    ("<p>Участников: 327723</p>", "327723"),
    ("<td>12345</td>", "12345"),
    ("<p>Итого:12345.</p>", "12345"),
    ("<p>12345,5 рубля</p>", "12345"),
    ("<span data-code>ИНН</span> 7707083893", "7707083893"),  # the marker covers its own element only
])
def test_badly_grouped_or_bare_numbers_are_flagged(body, shown):
    problems = [p for p in text_problems(_page(body)) if "number" in p]
    assert problems
    assert shown in " ".join(problems), problems


@pytest.mark.parametrize("body", [
    f"<p>Участников: 327{NBSP}723</p>",
    f"<p>Участников: 1{NBSP}327{NBSP}723, мероприятий: 4{NBSP}210</p>",
    "<p>Доля 12,5 %, 0,125 балла</p>",
    "<p>Неделя качества 2026, 9–15 ноября, 18:00</p>",
    "<table><tr><td>5</td><td>120</td><td>300</td></tr></table>",  # three cells are not «5 120 300»
    f"<p>Вопрос 3 из 10, 2{NBSP}300 лет назад</p>",
    "<p>Заседание в 18:00 100 мест</p>",
    # codes are not numbers
    "<p>PIN <code>483920</code>, <kbd>123456</kbd>, <samp>1234567</samp></p>",
    "<p>ИНН <span data-code>7707083893</span>, ОГРН <span data-code=\"\">1027700132195</span></p>",
    "<address data-code>610000, г. Киров, ул. Ленина, 1</address>",
    "<p data-code>Индекс <b>610000</b></p>",  # the marker covers what is nested in it
    "<p><a href='tel:+74957777777'>+7 495 777 77 77</a>, <a href='mailto:a@b.ru'>a@b.ru</a></p>",
    "<p><time datetime='2026-12-15T18:00'>20261215</time></p>",
    "<p>Сертификат QW-2026-000123, письмо № 15-02/31145, билет ABCD-1234-EFGH</p>",
    "<p>https://example.ru/activities/123456/ и /activities/123456/edit/</p>",
    "<p>Файл otchet-123456.xlsx</p>",
    "<script>var n = 123456;</script><svg><text>12 345</text></svg><span aria-hidden=true>99999</span>",
    "<input value='123456'><a href='/x/?n=123456' data-id='123456'>Ссылка</a>",
])
def test_grouped_numbers_and_codes_pass(body):
    assert not [p for p in text_problems(_page(body)) if "number" in p], body


def test_nested_elements_of_the_same_name_keep_the_code_open():
    html = _page("<span data-code>ИНН <span>7707</span> 083893</span> 12345")
    problems = [p for p in text_problems(html) if "number" in p]
    assert problems
    assert "083893" not in problems[0]
    assert "12345" in problems[0]


def test_plain_text_rules_for_mail():
    assert date_number_problems(f"Принято 15{NBSP}декабря 2026{NBSP}г.: 327{NBSP}723 участника") == []
    assert len(date_number_problems("Принято 15.12.2026: 327 723 участника, 12345 фото")) == 3


def test_mail_problems_reads_the_subject_the_body_and_the_html_alternative():
    message = EmailMultiAlternatives(subject="Итоги на 15.12.2026", body=f"Участников: 327{NBSP}723.\n"
                                     "Ссылка: https://example.ru/a/123456/", to=["a@example.ru"])
    message.attach_alternative(_page("<p>Участников: 327723</p><p>PIN <code>483920</code></p>"), "text/html")
    problems = mail_problems(message)
    assert [p.split(":")[0] for p in problems] == ["subject", "html"], problems
