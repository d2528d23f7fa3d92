"""Row validation: every row of a sheet is checked with the same rules as the web forms
(``services.validate_plan``, ``validate_report``, ``validate_submission``) plus the checks only an
import needs: the organisation is known and belongs to the coordinator's region and sector, the type
is known, counts are whole numbers, the row is not repeated. Every problem becomes a ``RowError``
with the row number and the column header as the user sees them in Excel.

No database writes happen here; organisations and types are read once into dictionaries, so
validating 50,000 rows costs a handful of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.models import Organisation, Region, Sector, organisation_key

from .. import services
from ..models import CATEGORY_FIELDS, Activity, ActivityType
from . import workbook
from .cells import (
    import_key,
    normalise,
    parse_count,
    parse_dates,
    parse_flag,
    parse_format,
    parse_inn,
    split_links,
    text_of,
)
from .headers import COLUMNS, HeaderMap, match_headers
from .problems import RowError, SpreadsheetError, ValueProblem
from .workbook import Sheet

MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_STORED_ERRORS = 20_000


@dataclass
class CleanRow:
    """One row that passed every check, ready to become an activity."""

    row: int
    organisation_id: int
    type_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    format: str
    is_public: bool
    description: str
    links: list[str]
    counts: dict[str, int]
    key: str

    def to_list(self) -> list[Any]:
        return [self.row, self.organisation_id, self.type_id, self.title, self.starts_on.isoformat(),
                self.ends_on.isoformat(), self.format, self.is_public, self.description, self.links,
                [self.counts[f] for f in CATEGORY_FIELDS], self.key]

    @classmethod
    def from_list(cls, v: list[Any]) -> CleanRow:
        return cls(row=v[0], organisation_id=v[1], type_id=v[2], title=v[3],
                   starts_on=dt.date.fromisoformat(v[4]), ends_on=dt.date.fromisoformat(v[5]), format=v[6],
                   is_public=v[7], description=v[8], links=v[9], counts=dict(zip(CATEGORY_FIELDS, v[10], strict=True)),
                   key=v[11])


@dataclass
class Result:
    rows_total: int = 0
    valid: list[CleanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    already_present: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


@dataclass(frozen=True)
class _Problem:
    message: str


def _scope_name(region: Region, sector: str) -> str:
    return f"{region.short_name}, сфера «{Sector(sector).label.lower()}»"


class Validator:
    """Validates rows for one coordinator scope (region + sector) in one campaign."""

    def __init__(self, *, campaign: Campaign, region: Region, sector: str, now: dt.datetime | None = None) -> None:
        self.campaign, self.region, self.sector = campaign, region, sector
        self.today = (now or timezone.now()).astimezone(region.zone).date()
        orgs = list(Organisation.objects.filter(region=region, sector=sector).select_related("region"))
        self.by_inn: dict[str, Organisation] = {o.inn: o for o in orgs if o.inn}
        self.by_name: dict[str, list[Organisation]] = {}
        for o in orgs:
            self.by_name.setdefault(normalise(o.name), []).append(o)
        self.types = list(ActivityType.objects.all())
        self.type_index: dict[str, ActivityType] = {}
        for t in self.types:
            self.type_index.setdefault(normalise(t.name), t)
            self.type_index.setdefault(normalise(t.code), t)
        self.type_tokens = [(set(normalise(t.name).split()), t) for t in self.types if t.is_active]
        self.outside_inn: dict[str, Organisation] = {}
        self.outside_name: dict[str, Organisation] = {}
        self.probes: dict[int, Activity] = {}
        # Cells repeat a lot (the same school, type, dates on many rows): each distinct value is
        # understood once. A memo keeps the answer or the problem.
        self.org_memo: dict[Any, Any] = {}
        self.type_memo: dict[Any, Any] = {}
        self.date_memo: dict[Any, Any] = {}
        self.format_memo: dict[Any, Any] = {}
        self.flag_memo: dict[Any, Any] = {}
        self.plan_memo: dict[tuple, dict[str, str]] = {}
        self.cols: dict[str, int] = {}

    @staticmethod
    def _memo(memo: dict[Any, Any], value: Any, parse: Callable[[Any], Any]) -> Any:
        try:
            found = memo[value]
        except KeyError:
            try:
                found = parse(value)
            except ValueProblem as exc:
                found = _Problem(str(exc))
            memo[value] = found
        except TypeError:  # an unhashable cell cannot be memoised (never from calamine or csv)
            return parse(value)
        if isinstance(found, _Problem):
            raise ValueProblem(found.message)  # a fresh exception each time: no growing traceback
        return found

    def _organisation(self, cells: tuple[Any, Any]) -> Organisation:
        inn = parse_inn(cells[0])
        return self.find_organisation(inn, " ".join(text_of(cells[1]).split()))

    def _type(self, value: Any) -> ActivityType:
        if value is None or not str(value).strip():
            raise ValueProblem("Укажите тип мероприятия.")
        return self.find_type(value)

    # Organisations outside the scope are looked up in bulk, only to say *why* a row is refused.
    def preload_outside(self, inns: Iterable[str], names: Iterable[str]) -> None:
        missing_inns = sorted({i for i in inns if i and i not in self.by_inn})
        for chunk in _chunks(missing_inns, 1000):
            for o in Organisation.objects.filter(inn__in=chunk).select_related("region"):
                self.outside_inn.setdefault(o.inn, o)
        missing_names = sorted({n for n in names if n and n not in self.by_name})
        for chunk in _chunks(missing_names, 100):
            q = Q(pk__in=[])
            for name in chunk:
                q |= Q(name_key__startswith=organisation_key(name, "").rstrip("|") + "|")
            for o in Organisation.objects.filter(q).select_related("region"):
                self.outside_name.setdefault(normalise(o.name), o)

    def find_type(self, value: Any) -> ActivityType:
        norm = normalise(value)
        found = self.type_index.get(norm)
        if found:
            return found
        words = set(norm.split())
        candidates = [t for tokens, t in self.type_tokens if words and words <= tokens]
        if len(candidates) == 1:
            return candidates[0]
        hint = "; возможно: " + ", ".join(f"«{t.name}»" for t in candidates[:3]) if candidates else ""
        raise ValueProblem(f"Тип «{text_of(value)[:60]}» не найден в справочнике{hint}. Список типов — на листе "
                           "«Типы мероприятий» шаблона.")

    def find_organisation(self, inn: str, name: str) -> Organisation:
        scope = _scope_name(self.region, self.sector)
        if inn:
            org = self.by_inn.get(inn)
            if org:
                return org
            other = self.outside_inn.get(inn)
            if other:
                raise ValueProblem(self._outside(other, f"с ИНН {inn}"))
            raise ValueProblem(f"Организация с ИНН {inn} не найдена в реестре ({scope}). Проверьте ИНН или "
                               "сначала добавьте организацию в реестр.")
        norm = normalise(name)
        if not norm:
            raise ValueProblem("Укажите ИНН или название организации.")
        matches = self.by_name.get(norm, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueProblem(f"В реестре несколько организаций с названием «{name[:80]}»: укажите ИНН.")
        other = self.outside_name.get(norm)
        if other:
            raise ValueProblem(self._outside(other, f"«{name[:80]}»"))
        raise ValueProblem(f"Организация «{name[:80]}» не найдена в реестре ({scope}). Название должно "
                           "совпадать с реестром; надёжнее указать ИНН.")

    def _outside(self, org: Organisation, what: str) -> str:
        if org.region_id != self.region.pk:
            where = f"к региону «{org.region.short_name}»"
        else:
            where = f"к сфере «{org.get_sector_display().lower()}»"
        return (f"Организация {what} относится {where}; загружать можно только мероприятия организаций "
                f"своего региона и сферы ({_scope_name(self.region, self.sector)}).")

    def validate(self, sheet: Sheet, *, on_progress: Callable[[int, int], None] | None = None) -> Result:
        if sheet.merged:
            listed = ", ".join(sheet.merged[:5]) + (" и другие" if len(sheet.merged) > 5 else "")
            raise SpreadsheetError(f"В таблице есть объединённые ячейки ({listed}). Разъедините их и заполните "
                                   "значение в каждой строке: одна строка — одно мероприятие.")
        hmap = match_headers(sheet.rows, first_row=sheet.first_row, first_col=sheet.first_col)
        result = Result()
        if hmap.unknown:
            result.notes.append("Эти столбцы не распознаны и пропущены: " + ", ".join(hmap.unknown[:10]) + ".")
        start = hmap.row - sheet.first_row + 1
        body = sheet.rows[start:]
        idx = hmap.index
        # Every column gets a position; absent ones point at an empty cell added after the last one.
        width = max(idx.values()) + 1
        self.cols = {c.key: idx.get(c.key, width) for c in COLUMNS}
        pad = [""] * (width + 1)

        def get(row: Sequence[Any], i: int | None) -> Any:
            return row[i] if i is not None and i < len(row) else None

        org_idx, inn_idx = idx.get("organisation"), idx.get("inn")
        inns, names = set(), set()
        for row in body:
            try:
                inn = parse_inn(get(row, inn_idx))
            except ValueProblem:
                inn = ""
            if inn:
                inns.add(inn)
            elif org_idx is not None:
                names.add(normalise(get(row, org_idx) or ""))
        self.preload_outside(inns, names)

        seen: dict[str, int] = {}
        total = len(body)
        for n, row in enumerate(body):
            number = hmap.row + 1 + n
            if not any(v is not None and str(v).strip() for v in row):
                continue  # empty rows are skipped silently
            result.rows_total += 1
            if result.rows_total > workbook.MAX_ROWS:
                raise SpreadsheetError(f"В таблице больше {workbook.MAX_ROWS:,} строк. ".replace(",", "\u00a0")
                                       + "Разбейте её на несколько файлов.")
            if len(row) <= width:
                row = [*row, *pad[len(row):]]
            clean, errors = self.validate_row(number, row, hmap)
            if clean is not None:
                first = seen.get(clean.key)
                if first is not None:
                    errors.append(RowError(number, hmap.label("title"),
                                           f"Строка повторяет строку {first}: та же организация, тип, даты и "
                                           "название.", hmap.cell("title", number)))
                    clean = None
                else:
                    seen[clean.key] = number
            if errors:
                if len(result.errors) < MAX_STORED_ERRORS:
                    result.errors.extend(errors)
            elif clean is not None:
                result.valid.append(clean)
            if on_progress and n % 1000 == 0:
                on_progress(n, total)
        if on_progress:
            on_progress(total, total)
        if result.rows_total == 0:
            raise SpreadsheetError(f"В таблице нет ни одной строки с данными под заголовками (строка {hmap.row}).")
        return result

    def validate_row(self, number: int, row: Sequence[Any], hmap: HeaderMap) -> tuple[CleanRow | None, list[RowError]]:
        """One row; ``row`` has a cell for every column position in ``self.cols``."""
        idx, col = hmap.index, self.cols
        errors: list[RowError] = []

        def err(key: str, message: str) -> None:
            errors.append(RowError(number, hmap.label(key), message, hmap.cell(key, number)))

        org_key = "inn" if "inn" in idx else "organisation"
        organisation = kind = None
        try:
            inn_value, name_value = row[col["inn"]], row[col["organisation"]]
            if not inn_value and "organisation" in idx:
                org_key = "organisation"
            organisation = self._memo(self.org_memo, (inn_value, name_value), self._organisation)
        except ValueProblem as exc:
            err(org_key, str(exc))
        type_value = row[col["type"]]
        try:
            kind = self._memo(self.type_memo, type_value, self._type)
        except ValueProblem as exc:
            err("type", str(exc))
        title = " ".join(text_of(row[col["title"]]).split())
        if len(title) > MAX_TITLE:
            err("title", f"Название длиннее {MAX_TITLE} символов ({len(title)}).")
        starts: dt.date | None = None
        ends: dt.date | None = None
        range_end: dt.date | None = None
        bad_start = bad_end = False  # already reported: no second message about a missing date
        try:
            parsed = self._memo(self.date_memo, row[col["starts_on"]], parse_dates)
            if parsed:
                starts, range_end = parsed
        except ValueProblem as exc:
            err("starts_on", str(exc))
            bad_start = True
        try:
            parsed = self._memo(self.date_memo, row[col["ends_on"]], parse_dates)
            ends = parsed[0] if parsed else None
        except ValueProblem as exc:
            err("ends_on", str(exc))
            bad_end = True
        if ends is None and not bad_end:
            ends = range_end or starts
        if ends is None and (bad_start or starts is None):
            bad_end = True  # an empty end follows the start, whose problem is already reported
        fmt: str = Activity.Format.IN_PERSON
        try:
            fmt = self._memo(self.format_memo, row[col["format"]], parse_format)
        except ValueProblem as exc:
            err("format", str(exc))
        is_public = False
        try:
            is_public = self._memo(self.flag_memo, row[col["is_public"]], parse_flag)
        except ValueProblem as exc:
            err("is_public", str(exc))
        counts: dict[str, int] = {}
        bad_counts: set[str] = set()
        for f in CATEGORY_FIELDS:
            value = row[col[f]]
            if type(value) is int or (type(value) is float and value.is_integer() and value >= 0):
                counts[f] = int(value)
                continue
            try:
                counts[f] = parse_count(value)
            except ValueProblem as exc:
                err(f, str(exc))
                counts[f] = 0
                bad_counts.add(f)
        description = text_of(row[col["description"]])
        if len(description) > MAX_DESCRIPTION:
            err("description", f"Описание длиннее {MAX_DESCRIPTION} символов.")
        links = split_links(row[col["links"]])

        if organisation is None:
            return None, errors
        # The form rules, reused: plan (type, title, dates in the campaign window, organisation state) ...
        # validate_plan depends only on these values (the campaign is fixed): same inputs, same answer.
        plan_key = (organisation.pk, kind.pk if kind else None, bool(title), starts, ends)
        plan_errors = self.plan_memo.get(plan_key)
        if plan_errors is None:
            plan = {"type": kind, "title": title, "starts_on": starts, "ends_on": ends}
            plan_errors = services.validate_plan(campaign=self.campaign, organisation=organisation, data=plan)
            self.plan_memo[plan_key] = plan_errors
        for field_name, message in plan_errors.items():
            if (field_name == "type" and kind is None) or (field_name == "starts_on" and bad_start) or (
                    field_name == "ends_on" and bad_end):
                continue  # the import already said what is wrong there
            if field_name == "ends_on" and "ends_on" not in idx:
                field_name = "starts_on"
            err({"__all__": org_key}.get(field_name, field_name), message)
        # ... and report (counts by category, links, size plausibility).
        if kind is not None:
            # validate_report reads only the type, the organisation and the sector of the activity.
            probe = self.probes.get(organisation.pk)
            if probe is None:
                probe = self.probes[organisation.pk] = Activity(organisation=organisation, type=kind,
                                                                sector=organisation.sector)
            elif probe.type_id != kind.pk:
                probe.type = kind
            report = {**counts, "links": links}
            report_errors = services.validate_report(activity=probe, data=report)
            flagged = {k for k in report_errors if k in CATEGORY_FIELDS and counts[k]} | bad_counts
            for field_name, message in report_errors.items():
                key = field_name
                if key == "pupils_1_4" and key not in flagged:
                    # The organisation-size check: show it on the biggest learner count, unless a count
                    # is already wrong (an absurd number explains it).
                    if flagged:
                        continue
                    key = max(services.LEARNERS, key=lambda f: counts[f])
                if key in CATEGORY_FIELDS and key not in idx:
                    key = next((f for f in CATEGORY_FIELDS if f in idx and counts[f]), key)
                err(key, message)
            # Imported rows arrive as submitted reports, so they meet what services.submit asks of one.
            if ends is not None:
                problems = services.validate_submission(kind=kind, ends_on=ends, today=self.today, counts=counts,
                                                        description=description, links=links)
                for field_name, message in problems.items():
                    if field_name == "ends_on" and "ends_on" not in idx:
                        field_name = "starts_on"
                    elif field_name in CATEGORY_FIELDS:
                        field_name = next((f for f in kind.categories if f in idx), field_name)
                    elif field_name == "description" and "description" not in idx and "links" in idx:
                        field_name = "links"
                    err(field_name, message)
        if errors or kind is None or starts is None or ends is None:
            return None, errors
        return CleanRow(row=number, organisation_id=organisation.pk, type_id=kind.pk, title=title,
                        starts_on=starts, ends_on=ends, format=fmt, is_public=is_public,
                        description=description, links=links, counts=counts,
                        key=import_key(organisation.pk, kind.pk, starts, ends, title)), errors


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
