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
        _refuse_merged(sheet)
        hmap = match_headers(sheet.rows, first_row=sheet.first_row, first_col=sheet.first_col)
        result = Result()
        if hmap.unknown:
            result.notes.append("Эти столбцы не распознаны и пропущены: " + ", ".join(hmap.unknown[:10]) + ".")
        body = sheet.rows[hmap.row - sheet.first_row + 1:]
        # Every column gets a position; absent ones point at an empty cell added after the last one.
        width = max(hmap.index.values()) + 1
        self.cols = {c.key: hmap.index.get(c.key, width) for c in COLUMNS}
        pad = [""] * (width + 1)
        self._preload_rows(body, hmap.index)
        seen: dict[str, int] = {}
        total = len(body)
        for n, row in enumerate(body):
            if not any(v is not None and str(v).strip() for v in row):
                continue  # empty rows are skipped silently
            result.rows_total += 1
            if result.rows_total > workbook.MAX_ROWS:
                raise SpreadsheetError(f"В таблице больше {workbook.MAX_ROWS:,} строк. ".replace(",", "\u00a0")
                                       + "Разбейте её на несколько файлов.")
            padded = [*row, *pad[len(row):]] if len(row) <= width else row
            self._take(result, seen, hmap.row + 1 + n, padded, hmap)
            if on_progress and n % 1000 == 0:
                on_progress(n, total)
        if on_progress:
            on_progress(total, total)
        if result.rows_total == 0:
            raise SpreadsheetError(f"В таблице нет ни одной строки с данными под заголовками (строка {hmap.row}).")
        return result

    def _preload_rows(self, body: Sequence[Sequence[Any]], idx: dict[str, int]) -> None:
        """Read the organisations outside the scope that the rows name, in bulk (see preload_outside)."""
        org_idx, inn_idx = idx.get("organisation"), idx.get("inn")
        inns, names = set(), set()
        for row in body:
            try:
                inn = parse_inn(_cell(row, inn_idx))
            except ValueProblem:
                inn = ""
            if inn:
                inns.add(inn)
            elif org_idx is not None:
                names.add(normalise(_cell(row, org_idx) or ""))
        self.preload_outside(inns, names)

    def _take(self, result: Result, seen: dict[str, int], number: int, row: Sequence[Any], hmap: HeaderMap) -> None:
        """Validate one row and keep it as valid, or its errors; a repeated row is an error."""
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

    def validate_row(self, number: int, row: Sequence[Any], hmap: HeaderMap) -> tuple[CleanRow | None, list[RowError]]:
        """One row; ``row`` has a cell for every column position in ``self.cols``."""
        errors: list[RowError] = []

        def err(key: str, message: str) -> None:
            errors.append(RowError(number, hmap.label(key), message, hmap.cell(key, number)))

        cells = self._read_cells(row, hmap.index, err)
        if cells.organisation is None:
            return None, errors
        self._check_plan(cells, hmap.index, err)
        if cells.kind is not None:
            self._check_report(cells, hmap.index, err)
            self._check_submission(cells, hmap.index, err)
        return self._clean(number, cells, errors), errors

    # --- reading the cells of a row ---------------------------------------------------------------

    def _read_cells(self, row: Sequence[Any], idx: dict[str, int], err: _Err) -> _Cells:
        col = self.cols
        cells = _Cells(org_key="inn" if "inn" in idx else "organisation")
        self._read_organisation(cells, row, idx, err)
        try:
            cells.kind = self._memo(self.type_memo, row[col["type"]], self._type)
        except ValueProblem as exc:
            err("type", str(exc))
        cells.title = " ".join(text_of(row[col["title"]]).split())
        if len(cells.title) > MAX_TITLE:
            err("title", f"Название длиннее {MAX_TITLE} символов ({len(cells.title)}).")
        self._read_dates(cells, row, err)
        cells.fmt = self._read_choice(self.format_memo, row, "format", parse_format, Activity.Format.IN_PERSON, err)
        cells.is_public = self._read_choice(self.flag_memo, row, "is_public", parse_flag, False, err)
        self._read_counts(cells, row, err)
        cells.description = text_of(row[col["description"]])
        if len(cells.description) > MAX_DESCRIPTION:
            err("description", f"Описание длиннее {MAX_DESCRIPTION} символов.")
        cells.links = split_links(row[col["links"]])
        return cells

    def _read_organisation(self, cells: _Cells, row: Sequence[Any], idx: dict[str, int], err: _Err) -> None:
        try:
            inn_value, name_value = row[self.cols["inn"]], row[self.cols["organisation"]]
            if not inn_value and "organisation" in idx:
                cells.org_key = "organisation"
            cells.organisation = self._memo(self.org_memo, (inn_value, name_value), self._organisation)
        except ValueProblem as exc:
            err(cells.org_key, str(exc))

    def _read_dates(self, cells: _Cells, row: Sequence[Any], err: _Err) -> None:
        """Start and end; a range in the start cell gives the end, an empty end follows the start.
        A date already reported as wrong gets no second message about being missing."""
        range_end: dt.date | None = None
        try:
            parsed = self._memo(self.date_memo, row[self.cols["starts_on"]], parse_dates)
            if parsed:
                cells.starts, range_end = parsed
        except ValueProblem as exc:
            err("starts_on", str(exc))
            cells.bad_start = True
        try:
            parsed = self._memo(self.date_memo, row[self.cols["ends_on"]], parse_dates)
            cells.ends = parsed[0] if parsed else None
        except ValueProblem as exc:
            err("ends_on", str(exc))
            cells.bad_end = True
        if cells.ends is None and not cells.bad_end:
            cells.ends = range_end or cells.starts
        if cells.ends is None and (cells.bad_start or cells.starts is None):
            cells.bad_end = True  # an empty end follows the start, whose problem is already reported

    def _read_choice(self, memo: dict[Any, Any], row: Sequence[Any], key: str, parse: Callable[[Any], Any],
                     default: Any, err: _Err) -> Any:
        try:
            return self._memo(memo, row[self.cols[key]], parse)
        except ValueProblem as exc:
            err(key, str(exc))
            return default

    def _read_counts(self, cells: _Cells, row: Sequence[Any], err: _Err) -> None:
        for f in CATEGORY_FIELDS:
            value = row[self.cols[f]]
            if type(value) is int or (type(value) is float and value.is_integer() and value >= 0):
                cells.counts[f] = int(value)
                continue
            try:
                cells.counts[f] = parse_count(value)
            except ValueProblem as exc:
                err(f, str(exc))
                cells.counts[f] = 0
                cells.bad_counts.add(f)

    # --- the form rules, reused -------------------------------------------------------------------

    def _check_plan(self, cells: _Cells, idx: dict[str, int], err: _Err) -> None:
        """Plan: type, title, dates in the campaign window, organisation state. validate_plan depends
        only on these values (the campaign is fixed): same inputs, same answer."""
        organisation, kind = cells.organisation, cells.kind
        if organisation is None:
            raise RuntimeError("organisation must be set here")
        plan_key = (organisation.pk, kind.pk if kind else None, bool(cells.title), cells.starts, cells.ends)
        plan_errors = self.plan_memo.get(plan_key)
        if plan_errors is None:
            plan = {"type": kind, "title": cells.title, "starts_on": cells.starts, "ends_on": cells.ends}
            plan_errors = services.validate_plan(campaign=self.campaign, organisation=organisation, data=plan)
            self.plan_memo[plan_key] = plan_errors
        already = {"type": kind is None, "starts_on": cells.bad_start, "ends_on": cells.bad_end}
        for field_name, message in plan_errors.items():
            if already.get(field_name):
                continue  # the import already said what is wrong there
            if field_name == "ends_on" and "ends_on" not in idx:
                field_name = "starts_on"
            err({"__all__": cells.org_key}.get(field_name, field_name), message)

    def _probe(self, organisation: Organisation, kind: ActivityType) -> Activity:
        """validate_report reads only the type, the organisation and the sector of the activity."""
        probe = self.probes.get(organisation.pk)
        if probe is None:
            probe = self.probes[organisation.pk] = Activity(organisation=organisation, type=kind,
                                                            sector=organisation.sector)
        elif probe.type_id != kind.pk:
            probe.type = kind
        return probe

    def _check_report(self, cells: _Cells, idx: dict[str, int], err: _Err) -> None:
        """Report: counts by category, links, size plausibility."""
        if cells.organisation is None:
            raise RuntimeError("cells.organisation must be set here")
        if cells.kind is None:
            raise RuntimeError("cells.kind must be set here")
        counts = cells.counts
        probe = self._probe(cells.organisation, cells.kind)
        report_errors = services.validate_report(activity=probe, data={**counts, "links": cells.links})
        flagged = {k for k in report_errors if k in CATEGORY_FIELDS and counts[k]} | cells.bad_counts
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

    def _check_submission(self, cells: _Cells, idx: dict[str, int], err: _Err) -> None:
        """Imported rows arrive as submitted reports, so they meet what services.submit asks of one."""
        kind = cells.kind
        if kind is None:
            raise RuntimeError("kind must be set here")
        if cells.ends is None:
            return
        problems = services.validate_submission(kind=kind, ends_on=cells.ends, today=self.today,
                                                counts=cells.counts, description=cells.description,
                                                links=cells.links)
        for field_name, message in problems.items():
            if field_name == "ends_on" and "ends_on" not in idx:
                field_name = "starts_on"
            elif field_name in CATEGORY_FIELDS:
                field_name = next((f for f in kind.categories if f in idx), field_name)
            elif field_name == "description" and "description" not in idx and "links" in idx:
                field_name = "links"
            err(field_name, message)

    @staticmethod
    def _clean(number: int, cells: _Cells, errors: list[RowError]) -> CleanRow | None:
        organisation, kind, starts, ends = cells.organisation, cells.kind, cells.starts, cells.ends
        if errors or organisation is None or kind is None or starts is None or ends is None:
            return None
        return CleanRow(row=number, organisation_id=organisation.pk, type_id=kind.pk, title=cells.title,
                        starts_on=starts, ends_on=ends, format=cells.fmt, is_public=cells.is_public,
                        description=cells.description, links=cells.links, counts=cells.counts,
                        key=import_key(organisation.pk, kind.pk, starts, ends, cells.title))


_Err = Callable[[str, str], None]


@dataclass
class _Cells:
    """What one row's cells say, as far as they could be read."""

    org_key: str
    organisation: Organisation | None = None
    kind: ActivityType | None = None
    title: str = ""
    starts: dt.date | None = None
    ends: dt.date | None = None
    bad_start: bool = False  # already reported: no second message about a missing date
    bad_end: bool = False
    fmt: str = Activity.Format.IN_PERSON
    is_public: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    bad_counts: set[str] = field(default_factory=set)
    description: str = ""
    links: list[str] = field(default_factory=list)


def _cell(row: Sequence[Any], i: int | None) -> Any:
    return row[i] if i is not None and i < len(row) else None


def _refuse_merged(sheet: Sheet) -> None:
    if sheet.merged:
        listed = ", ".join(sheet.merged[:5]) + (" и другие" if len(sheet.merged) > 5 else "")
        raise SpreadsheetError(f"В таблице есть объединённые ячейки ({listed}). Разъедините их и заполните "
                               "значение в каждой строке: одна строка — одно мероприятие.")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
