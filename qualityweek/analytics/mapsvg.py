"""The tile-grid map of Russia as server-rendered SVG: one square per region at its directory cell,
coloured by a metric, each a focusable link with an accessible name and a tooltip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from qualityweek.core.text import count_ru, plural_ru, ru_number
from qualityweek.directory.models import Region

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
        return f"{ru_number(value)}\u00a0%"
    return ru_number(int(value))


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
    map_id: str = "map"
    title: str = ""


@dataclass(frozen=True)
class Tile:
    """One region's square: its cell, its fill value, what it says and where it leads."""

    region: Region
    value: float | None
    text: str
    href: str


TIP_HEIGHT = 34  # the strip under the grid where the hovered or focused region's name and value show
HINT = "Наведите указатель на регион или перейдите к нему клавишей Tab"


def render_tiles(tiles: Sequence[Tile], *, unit: str, title: str, map_id: str = "map", metric: str = "") -> Map:
    """One ``<a>`` per region (tooltip ``<title>``, ``aria-label``, keyboard focus) and, inside it, a
    label in the strip under the grid that CSS shows while the tile is hovered or focused (a strip of
    its own, so no later tile paints over it). Built with plain string formatting: the texts are
    escaped, everything else is numbers."""
    bins = bins_for([t.value for t in tiles if t.value is not None], unit)
    cols = max((t.region.tile_x for t in tiles), default=0) + 1
    rows = max((t.region.tile_y for t in tiles), default=0) + 1
    width, grid_height = cols * (TILE + GAP), rows * (TILE + GAP)
    tip_y = grid_height + TIP_HEIGHT // 2 + 2
    title_id = f"{escape(map_id)}-title"
    parts = [f'<svg class="qw-map" id="{escape(map_id)}" viewBox="0 0 {width} {grid_height + TIP_HEIGHT}" '
             f'role="group" aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg">'
             f'<title id="{title_id}">{escape(title)}</title>'
             f'<text class="qw-map-hint" x="0" y="{tip_y}" aria-hidden="true">{escape(HINT)}</text>']
    for tile in tiles:
        region = tile.region
        fill = colour(tile.value, bins)
        dark = "dark" if fill in PALETTE[DARK_FROM:] else ""
        x, y = region.tile_x * (TILE + GAP), region.tile_y * (TILE + GAP)
        text = escape(tile.text)
        code = escape(region.code)
        # The name ends with the code the tile shows, so what a sighted user sees is part of it (WCAG 2.5.3).
        parts.append(f'<a href="{escape(tile.href)}" aria-label="{text}, код {code}" data-region="{code}">'
                     f'<title>{text}</title>'
                     f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4" fill="{fill}"/>'
                     f'<text x="{x + TILE // 2}" y="{y + TILE // 2 + 5}" class="code {dark}" aria-hidden="true">'
                     f'{code}</text>'
                     f'<text x="0" y="{tip_y}" class="qw-map-tip" aria-hidden="true">{text}</text></a>')
    parts.append("</svg>")
    return Map(svg=mark_safe("".join(parts)), bins=bins, metric=metric, map_id=map_id,  # noqa: S308 - escaped above
               title=title)


def render(areas: Sequence[Area], metric: str, href: Callable[[Area], str], title: str,
           map_id: str = "map") -> Map:
    """The dashboards' map: each region's area coloured by one metric."""
    tiles = []
    for area in areas:
        if area.region is None:
            continue
        value = area.metric(metric)
        tiles.append(Tile(area.region, None if value is None else float(value), describe(area, metric), href(area)))
    return render_tiles(tiles, unit=METRICS[metric].unit, title=title, map_id=map_id, metric=metric)


def render_counts(regions: Sequence[Region], counts: dict[int, int], *, href: Callable[[Region], str], title: str,
                  noun: tuple[str, str, str], map_id: str = "map") -> Map:
    """A map of plain counts per region (the «Афиша»: events per region)."""
    tiles = [Tile(r, float(counts.get(r.pk, 0)), f"{r.name}: {count_ru(counts.get(r.pk, 0), *noun)}", href(r))
             for r in regions]
    return render_tiles(tiles, unit="", title=title, map_id=map_id, metric="count")


def legend_html(m: Map) -> SafeString:
    # An SVG swatch coloured by its fill attribute: a style attribute would break the CSP (style-src 'self').
    swatch = ('<li><svg class="swatch" viewBox="0 0 1 1" aria-hidden="true" focusable="false">'
              '<rect width="1" height="1" fill="{}"/></svg>{}</li>')
    items = "".join(str(format_html(swatch, b.colour, b.label)) for b in m.bins)
    items += str(format_html(swatch, m.empty_colour, "нет данных или 0"))
    label = escape(f"Легенда: {m.title}" if m.title else "Легенда карты")
    return mark_safe(f'<ul class="qw-legend" aria-label="{label}">{items}</ul>')  # noqa: S308 - items built by format_html
