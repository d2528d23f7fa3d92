"""The tile-grid map of Russia as server-rendered SVG: one square per region at its directory cell,
coloured by a metric, each a focusable link with an accessible name and a tooltip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from qualityweek.core.text import plural_ru

from .selectors import METRICS, Area

TILE, GAP = 40, 4
# Sequential blues, light to dark. Tile labels are dark ink up to the fourth step and white from
# the fifth: every pair has a contrast of at least 4.5:1 (4.68, then 6.16 and more).
PALETTE = ["#deebf7", "#b7d3ec", "#84b5dd", "#4a8dc8", "#1f63a8", "#0b3d78"]
EMPTY = "#eef0f3"
DARK_FROM = 4


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    colour: str
    label: str


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f} %"
    return f"{int(value):,}".replace(",", "\u202f")


def bins_for(values: Sequence[float], unit: str) -> list[Bin]:
    """Fixed steps for shares; for counts, steps at quantiles of the non-zero values."""
    if unit == "%":
        edges = [0.0, 20, 40, 60, 80, 100.0001]
        steps = PALETTE[1:]
    else:
        positive = sorted(v for v in values if v > 0)
        if not positive:
            return []
        quantiles = [positive[min(len(positive) - 1, int(len(positive) * q))] for q in (0, .2, .4, .6, .8)]
        edges = [*sorted(set(quantiles)), positive[-1] + 1]
        steps = PALETTE[-(len(edges) - 1):] if len(edges) - 1 < len(PALETTE) else PALETTE
    bins = []
    for i in range(len(edges) - 1):
        low, high = edges[i], edges[i + 1]
        if unit == "%":
            label = f"{low:.0f}–{min(high, 100):.0f} %"
        elif high - low <= 1:
            label = _fmt(low, unit)
        else:
            label = f"{_fmt(low, unit)}–{_fmt(high - 1, unit)}"
        bins.append(Bin(low, high, steps[i] if i < len(steps) else PALETTE[-1], label))
    return bins


def colour(value: float | None, bins: list[Bin]) -> str:
    if value is None or (value <= 0 and (not bins or bins[0].low > 0)):
        return EMPTY
    for b in bins:
        if b.low <= value < b.high:
            return b.colour
    return bins[-1].colour if bins else EMPTY


def describe(area: Area, metric: str) -> str:
    m = METRICS[metric]
    value = area.metric(metric)
    if value is None:
        shown = "нет данных"
    elif m.unit == "%":
        shown = f"{value:.1f} %".replace(".", ",")
    else:
        n = int(value)
        noun = {"activities": ("мероприятие", "мероприятия", "мероприятий"),
                "participants": ("участник", "участника", "участников"),
                "organisations": ("организация", "организации", "организаций"),
                "submitted": ("отчёт", "отчёта", "отчётов")}[metric]
        shown = f"{n} {plural_ru(n, *noun)}"
    return f"{area.label}: {shown}"


@dataclass
class Map:
    svg: SafeString
    bins: list[Bin]
    metric: str
    empty_colour: str = EMPTY


def render(areas: Sequence[Area], metric: str, href: Callable[[Area], str], title: str) -> Map:
    """One ``<a>`` per region (tooltip ``<title>``, ``aria-label``, keyboard focus), built with plain
    string formatting: the labels are escaped, everything else is numbers."""
    cells = [a for a in areas if a.region is not None]
    values = [a.metric(metric) for a in cells]
    bins = bins_for([float(v) for v in values if v is not None], METRICS[metric].unit)
    cols = max((a.region.tile_x for a in cells if a.region), default=0) + 1
    rows = max((a.region.tile_y for a in cells if a.region), default=0) + 1
    width, height = cols * (TILE + GAP), rows * (TILE + GAP)
    parts = [f'<svg class="qw-map" viewBox="0 0 {width} {height}" role="group" aria-labelledby="map-title" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="map-title">{escape(title)}</title>']
    for area, value in zip(cells, values, strict=True):
        region = area.region
        if region is None:
            raise RuntimeError("region must be set here")
        fill = colour(None if value is None else float(value), bins)
        dark = "dark" if fill in PALETTE[DARK_FROM:] else ""
        x, y = region.tile_x * (TILE + GAP), region.tile_y * (TILE + GAP)
        text = escape(describe(area, metric))
        code = escape(region.code)
        parts.append(f'<a href="{escape(href(area))}" aria-label="{text}" data-region="{code}"><title>{text}</title>'
                     f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4" fill="{fill}"/>'
                     f'<text x="{x + TILE // 2}" y="{y + TILE // 2 + 4}" class="{dark}" aria-hidden="true">'
                     f'{code}</text></a>')
    parts.append("</svg>")
    return Map(svg=mark_safe("".join(parts)), bins=bins, metric=metric)  # noqa: S308 - every value above is escaped


def legend_html(m: Map) -> SafeString:
    # An SVG swatch coloured by its fill attribute: a style attribute would break the CSP (style-src 'self').
    swatch = ('<li><svg class="swatch" viewBox="0 0 1 1" aria-hidden="true" focusable="false">'
              '<rect width="1" height="1" fill="{}"/></svg>{}</li>')
    items = "".join(str(format_html(swatch, b.colour, b.label)) for b in m.bins)
    items += str(format_html(swatch, m.empty_colour, "нет данных или 0"))
    return mark_safe(f'<ul class="qw-legend" aria-label="{escape("Легенда карты")}">{items}</ul>')  # noqa: S308 - items built by format_html
