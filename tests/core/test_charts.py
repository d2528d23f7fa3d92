"""The pygal wrapper: valid, CSP-safe SVG with an accessible name, Russian numbers and a table."""

from __future__ import annotations

from django.template.loader import render_to_string
from lxml import etree

from qualityweek.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def _bar() -> charts.Chart:
    return charts.bar(
        title="Мероприятия по типам",
        label_header="Тип",
        horizontal=True,
        labels=["Урок качества", "Экскурсия <на> производство"],
        series=[charts.Series("Приняты", [12345, 3]), charts.Series("На проверке", [100, None])],
    )


def test_svg_is_well_formed_accessible_and_has_no_script_or_inline_style():
    for chart in (
        _bar(),
        charts.line(title="По дням", labels=["09.11", "10.11"], series=[charts.Series("Приняты", [1, 2000])]),
        charts.bar(title="Пусто", labels=[], series=[charts.Series("Приняты", [])]),
    ):
        root = etree.fromstring(str(chart.svg).encode())
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby").split()
        assert root.find(f"{SVG}title").get("id") == title_id
        assert root.find(f"{SVG}title").text == chart.title
        assert root.find(f"{SVG}desc").get("id") == desc_id
        assert not root.findall(f".//{SVG}script")
        assert not root.findall(f".//{SVG}style")
        assert all("style" not in node.attrib for node in root.iter() if isinstance(node.tag, str))
        text = str(chart.svg)
        assert "<script" not in text
        assert "<!--" not in text
        assert "javascript:" not in text
        assert "explicit" not in text
        assert "http://pygal" not in text


def test_values_axes_and_legend_are_russian():
    chart = _bar()
    text = str(chart.svg)
    assert "12\u00a0345" in text  # the printed value
    assert "Приняты" in text
    assert "На проверке" in text
    assert "Урок качества" in text
    assert "Экскурсия &lt;на&gt; производство" in text
    assert "наибольшее значение 12\u00a0345 — Урок качества" in chart.description


def test_template_renders_the_table_alternative():
    chart = _bar()
    html = render_to_string("core/_chart.html", {"chart": chart})
    assert '<figure class="qw-chart">' in html
    assert "<summary>Таблица: мероприятия по типам</summary>" in html
    assert '<th scope="col">Тип</th>' in html
    assert '<th scope="col" class="num">На проверке</th>' in html
    assert '<th scope="row">Урок качества</th><td class="num">12\u00a0345</td><td class="num">100</td>' in html
    assert '<td class="num">—</td>' in html  # a missing value says so
    linked = render_to_string("core/_chart.html", {"chart": chart, "table": "#types-table"})
    assert "<details>" not in linked
    assert 'href="#types-table"' in linked


def test_units_on_shares():
    chart = charts.bar(
        title="Полнота", labels=["Кировская область"], unit="%", digits=1, series=[charts.Series("Полнота", [87.25])]
    )
    shown = chart.rows[0][1][0]
    assert shown in {"87,2\u00a0%", "87,3\u00a0%"}  # rounding of a binary float, either way
    assert shown in str(chart.svg)
