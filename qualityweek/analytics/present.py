"""Rows of the big dashboard tables with their numbers already formatted and their drill-down links
built, so the template does plain lookups (the 89-row tables render in a few milliseconds)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qualityweek.core.text import NBSP, ru_number

from .selectors import METRICS, Area


def num(value: Any) -> str:
    """A count as every page writes it (``core.text.ru_number``): «327 723»."""
    if value is None or value == "":
        return "—"
    return ru_number(int(value))


def pct(value: float | None) -> str:
    return "—" if value is None else ru_number(value, digits=1) + NBSP + "%"


def metric(area: Area, code: str) -> str:
    value = area.metric(code)
    return pct(value) if METRICS[code].unit == "%" else num(value)


def region_rows(areas: list[Area], year: int, metric_code: str, report_labels: dict[str, str],
                sector_labels: dict[str, str]) -> list[dict[str, Any]]:
    region_base = reverse("analytics_region", args=["00"])[:-3]
    drill = reverse("analytics_activities")
    rows = []
    for a in areas:
        r, c = a.region, a.completeness
        if r is None:
            raise RuntimeError("r must be set here")
        q = urlencode({"year": year, "region": r.code})
        rows.append({
            "code": r.code, "label": a.label, "short": r.short_name,
            "url": f"{region_base}{r.code}/?year={year}",
            "missing_url": f"{region_base}{r.code}/?year={year}&show=not_reported",
            "received_url": f"{drill}?{q}&status=approved", "returned_url": f"{drill}?{q}&status=returned",
            "expected": num(c.expected), "received": num(c.received), "on_time": num(c.on_time), "late": num(c.late),
            "returned": num(c.returned), "returned_n": c.returned, "missing": num(c.missing), "missing_n": c.missing,
            "rate": pct(c.rate), "on_time_rate": pct(c.on_time_rate), "metric": metric(a, metric_code),
            "reports": [(status, f"{sector_labels.get(s, s)}: {report_labels.get(status, status).lower()}")
                        for s, status in sorted(a.reports.items())],
        })
    return rows


def coverage_rows(areas: list[Area], year: int) -> list[dict[str, Any]]:
    region_base = reverse("analytics_region", args=["00"])[:-3]
    rows = []
    for a in areas:
        if not (a.registered or a.organisations) or a.region is None:
            continue
        rows.append({
            "label": a.label, "url": f"{region_base}{a.region.code}/?year={year}&sector={a.key[1]}",
            "organisations": num(a.organisations), "registered": num(a.registered), "coverage": pct(a.coverage),
            "approved_orgs": num(a.approved_orgs), "participants": num(a.participants),
            "size_total": num(a.size_total), "reach": pct(a.reach),
            "size_note": f"{a.with_size} из {a.registered}" if a.with_size < a.registered else "",
        })
    return rows


def region_table(rows: list[dict[str, Any]]) -> SafeString:
    """The 89 rows of the completeness table as HTML (labels escaped; the rest are numbers)."""
    out = []
    for r in rows:
        returned = f'<a href="{escape(r["returned_url"])}">{r["returned"]}</a>' if r["returned_n"] else "0"
        missing = f'<a href="{escape(r["missing_url"])}">{r["missing"]}</a>' if r["missing_n"] else "0"
        reports = " ".join(f'<span class="badge {escape(status)}">{escape(text)}</span>'
                           for status, text in r["reports"]) or '<span class="muted">не начат</span>'
        out.append(
            f'<tr id="region-{escape(r["code"])}"><th scope="row">'
            f'<a href="{escape(r["url"])}">{escape(r["label"])}</a></th><td class="num">{r["expected"]}</td>'
            f'<td class="num"><a href="{escape(r["received_url"])}">{r["received"]}</a></td>'
            f'<td class="num">{r["on_time"]}</td><td class="num">{r["late"]}</td><td class="num">{returned}</td>'
            f'<td class="num">{missing}</td><td class="num">{r["rate"]}</td><td class="num">{r["on_time_rate"]}</td>'
            f'<td class="num">{r["metric"]}</td><td>{reports}</td></tr>')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
