"""Server-rendered SVG charts: one small wrapper around pygal (see docs/decisions/0034-pygal-charts.md).

pygal draws the axes, values and legend; this module fixes what a public page needs from it:

- no ``<script>``, no ``<style>``, no ``style=""`` attribute and no comment survive, so the chart is
  allowed by the Content-Security-Policy (``script-src``/``style-src 'self' 'nonce-…'``) and works
  without JavaScript; its look comes from ``core/static/core/charts.css`` (the project's colours,
  the page's own font — nothing is fetched);
- numbers are Russian (``core.text.ru_number``): thousands grouped with a no-break space, a decimal comma;
- the SVG is ``role="img"`` with a ``<title>`` and a ``<desc>``, and every chart carries its data as a
  table (``core/_chart.html`` shows it under «Таблица»), so nothing is said only by a picture.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pygal
from django.utils.safestring import SafeString, mark_safe
from lxml import etree

from qualityweek.core.text import NBSP, ru_number

SVG_NS = "http://www.w3.org/2000/svg"
# The series colours, in order: the dashboard blues first (accepted, on review), then the brand's
# red, green and amber. Each is told apart in the legend by name as well as by colour.
COLOURS = ("#1f63a8", "#84b5dd", "#c8102e", "#1d6b2f", "#8a5300", "#0b3d78")
_ids = itertools.count(1)
_DECIMALS = re.compile(r"(\d\.\d)\d+")  # coordinates to a tenth of a unit: a third of the bytes


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


@dataclass
class Chart:
    """A rendered chart and the data behind it (for the table alternative)."""

    svg: SafeString
    title: str
    description: str
    labels: list[str]
    series: list[Series]
    unit: str = ""
    label_header: str = ""
    digits: int = 0
    rows: list[tuple[str, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = [
            (label, [_shown(s.values[i], self.unit, self.digits) for s in self.series])
            for i, label in enumerate(self.labels)
        ]


def _shown(value: float | int | None, unit: str, digits: int) -> str:
    return ru_number(value, digits=digits) + (f"{NBSP}{unit}" if unit and value is not None else "")


def _describe(kind: str, labels: Sequence[str], series: Sequence[Series], unit: str, digits: int) -> str:
    parts = [f"{kind}: {', '.join(s.name for s in series)}; {len(labels)} знач. по оси."]
    for s in series:
        pairs = [(v, labels[i]) for i, v in enumerate(s.values) if v is not None]
        if pairs:
            top, where = max(pairs, key=lambda p: p[0])
            shown = _shown(top, unit, digits)
            parts.append(f"{s.name}: наибольшее значение {shown} — {where}.")
    return " ".join(parts)


def _clean(svg: str, *, title: str, description: str) -> SafeString:
    """Strip what CSP forbids or a reader does not need; add the accessible name and description."""
    root = etree.fromstring(svg.encode())
    chart_id = f"qw-chart-{next(_ids)}"
    for node in list(root.iter(etree.Comment)):
        node.getparent().remove(node)
    for tag in ("style", "script"):
        for node in root.iter(f"{{{SVG_NS}}}{tag}"):
            node.getparent().remove(node)
    # pygal's JS tooltip layer (a style attribute, hidden without the script) and its coordinate hints.
    for node in root.xpath("//*[contains(concat(' ', @class, ' '), ' tooltip-overlay ')]"):
        node.getparent().remove(node)
    for node in root.xpath("//svg:desc[@class!='value']", namespaces={"svg": SVG_NS}):
        node.getparent().remove(node)
    for node in root.iter():
        if isinstance(node.tag, str):
            node.attrib.pop("style", None)
            if node.get("id", "").startswith("activate-serie"):
                del node.attrib["id"]
    # pygal's own title (the first <title> child), if any, is replaced by ours.
    for node in root.findall(f"{{{SVG_NS}}}title"):
        root.remove(node)
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    desc = etree.Element(f"{{{SVG_NS}}}desc", id=f"{chart_id}-desc")
    desc.text = description
    heading = etree.Element(f"{{{SVG_NS}}}title", id=f"{chart_id}-title")
    heading.text = title
    root.insert(0, desc)
    root.insert(0, heading)
    text = _DECIMALS.sub(r"\1", etree.tostring(root, encoding="unicode"))
    return mark_safe(text)  # noqa: S308 - serialised by lxml: every text node and attribute is escaped


def _config(*, horizontal: bool, labels: Sequence[str], unit: str, digits: int, height: int) -> dict:
    def fmt(value: float | None) -> str:
        return _shown(value, unit, digits)

    style = pygal.style.Style(
        colors=COLOURS,
        font_family="inherit",
        background="transparent",
        plot_background="transparent",
        transition="none",
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=14,
        value_font_size=12,
    )
    return {
        "style": style,
        "css": [],
        "js": [],
        "disable_xml_declaration": True,
        "no_prefix": True,
        "explicit_size": False,
        "width": 720,
        "height": height,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "print_values": True,
        "print_zeroes": False,
        "value_formatter": fmt,
        "formatter": fmt,
        "x_labels": list(labels),
        "truncate_label": -1,
        "truncate_legend": -1,
        "no_data_text": "Нет данных",
        "show_y_guides": not horizontal,
        "show_x_guides": horizontal,
        "margin": 12,
        "margin_bottom": 24,
        "print_values_position": "top",
        "spacing": 8,
        "min_scale": 3,
        "max_scale": 6,
        "include_x_axis": True,
    }


def _finish(chart: Any, kind: str, *, title: str, labels: list[str], series: Sequence[Series], unit: str,
            digits: int, label_header: str, description: str) -> Chart:
    """Render a filled pygal chart and keep what its table alternative shows."""
    description = description or _describe(kind, labels, series, unit, digits)
    return Chart(
        svg=_clean(chart.render(is_unicode=True), title=title, description=description),
        title=title,
        description=description,
        labels=labels,
        series=list(series),
        unit=unit,
        label_header=label_header,
        digits=digits,
    )


def bar(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    horizontal: bool = False,
    unit: str = "",
    digits: int = 0,
    label_header: str = "",
    description: str = "",
) -> Chart:
    """A bar chart: one bar per label per series (horizontal suits long labels such as region names)."""
    labels = [str(label) for label in labels]
    height = max(220, 60 + 26 * len(labels) * max(1, len(series))) if horizontal else 340
    cls = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = cls(
        **_config(
            horizontal=horizontal,
            labels=labels[::-1] if horizontal else labels,
            unit=unit,
            digits=digits,
            height=height,
        )
    )
    for s in series:
        chart.add(s.name, list(s.values)[::-1] if horizontal else list(s.values))
    return _finish(chart, "Столбчатая диаграмма", title=title, labels=labels, series=series, unit=unit,
                   digits=digits, label_header=label_header, description=description)


def line(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    digits: int = 0,
    label_header: str = "",
    description: str = "",
) -> Chart:
    """A time series: one line per series over the labels (days, years)."""
    labels = [str(label) for label in labels]
    config = _config(horizontal=False, labels=labels, unit=unit, digits=digits, height=320)
    config.update(dots_size=4, fill=False, print_values=False)  # the dots and the table carry the values
    chart = pygal.Line(**config)
    for s in series:
        chart.add(s.name, list(s.values))
    return _finish(chart, "Линейный график", title=title, labels=labels, series=series, unit=unit,
                   digits=digits, label_header=label_header, description=description)
