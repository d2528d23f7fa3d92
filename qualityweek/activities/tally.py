"""Incremental aggregates of the activities.

The dashboards never GROUP BY over the activities: every write to an activity calls
``activity_changed(before, after)`` in the same transaction, which subtracts the old state's
contribution and adds the new one to a handful of small tally tables (see ``models.py``). Bulk
inserts (demo data, spreadsheet import) call ``activities_created``. ``recount`` recomputes every
table from the raw activities and reports differences; ``rebuild`` resets the tables from it.

Each change is an ``INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` (PostgreSQL and
SQLite alike): the increment happens inside the database under the row lock, so two concurrent
transitions of different activities touching the same row both count, without a read-modify-write
race. Keys are applied in sorted order, table by table, so two transactions lock rows in the same
order. The organisation counters per region are derived from the participation rows: the upsert
returns each row's new values, and a row crossing zero moves its region's counter by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from qualityweek.core import public_cache

from .models import (
    CATEGORY_FIELDS,
    Activity,
    ActivityTally,
    DayTally,
    Participation,
    RegionCount,
    RegionTally,
    TypeTally,
)

S = Activity.Status
RECEIVED = (S.SUBMITTED, S.APPROVED)
BATCH = 400  # rows per upsert statement (each row is ~15 parameters)


@dataclass(frozen=True)
class ActivityState:
    """What an activity contributes to the aggregates, captured before and after a change."""

    campaign_id: int
    region_id: int
    sector: str
    type_id: int
    organisation_id: int
    status: str
    starts_on: dt.date
    is_late: bool
    counts: tuple[int, ...]  # in CATEGORY_FIELDS order

    @classmethod
    def of(cls, activity: Activity) -> ActivityState:
        return cls(
            campaign_id=activity.campaign_id, region_id=activity.region_id, sector=activity.sector,
            type_id=activity.type_id, organisation_id=activity.organisation_id, status=activity.status,
            starts_on=activity.starts_on, is_late=bool(activity.is_late),
            counts=tuple(int(getattr(activity, f) or 0) for f in CATEGORY_FIELDS),
        )

    @classmethod
    def from_values(cls, row: dict[str, Any]) -> ActivityState:
        """The state of a row about to be (or just) bulk-inserted as a dict of attnames."""
        return cls(
            campaign_id=row["campaign_id"], region_id=row["region_id"], sector=str(row["sector"]),
            type_id=row["type_id"], organisation_id=row["organisation_id"], status=str(row.get("status", S.PLANNED)),
            starts_on=row["starts_on"], is_late=bool(row.get("is_late", False)),
            counts=tuple(int(row.get(f) or 0) for f in CATEGORY_FIELDS),
        )

    @property
    def participants(self) -> int:
        return sum(self.counts)


# --- the tables ----------------------------------------------------------------------------------------

def sum_of(fields: Sequence[str]) -> Any:
    """F(a) + F(b) + ... over the given counter columns."""
    expr: Any = F(fields[0])
    for name in fields[1:]:
        expr = expr + F(name)
    return expr


def _participants_expr() -> Any:
    return sum_of(CATEGORY_FIELDS)


def _sum(expr: Any, **filter_: Any) -> Any:
    return Coalesce(Sum(expr, filter=Q(**filter_) if filter_ else None), Value(0), output_field=IntegerField())


def _count(**filter_: Any) -> Any:
    return Count("id", filter=Q(**filter_) if filter_ else None)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    keys: tuple[str, ...]  # columns of the unique key
    fields: tuple[str, ...]  # the same key as Activity fields (for the recount's GROUP BY)
    values: tuple[str, ...]  # counter columns
    vector: Callable[[ActivityState], tuple[int, ...]]
    recount: Callable[[], dict[str, Any]]  # counter column -> aggregate over Activity

    def key(self, s: ActivityState) -> tuple:
        return tuple(getattr(s, _STATE_ATTR.get(f, f)) for f in self.fields)


_STATE_ATTR = {"campaign": "campaign_id", "region": "region_id", "type": "type_id",
               "organisation": "organisation_id"}
CATEGORY_VALUES = ("activities", "late", *CATEGORY_FIELDS)


def _category_vector(s: ActivityState) -> tuple[int, ...]:
    return (1, int(s.is_late), *s.counts)


def _category_recount() -> dict[str, Any]:
    return {"activities": _count(), "late": _count(is_late=True), **{f: _sum(F(f)) for f in CATEGORY_FIELDS}}


def _day_vector(s: ActivityState) -> tuple[int, ...]:
    return (1, s.participants)


def _participation_vector(s: ActivityState) -> tuple[int, ...]:
    return (int(s.status == S.PLANNED), int(s.status == S.SUBMITTED), int(s.status == S.APPROVED),
            int(s.status == S.RETURNED), int(s.status == S.CANCELLED),
            int(s.is_late and s.status in RECEIVED),
            s.participants if s.status == S.APPROVED else 0,
            s.participants if s.status == S.SUBMITTED else 0)


def _participation_recount() -> dict[str, Any]:
    total = _participants_expr()
    return {"planned": _count(status=S.PLANNED), "submitted": _count(status=S.SUBMITTED),
            "approved": _count(status=S.APPROVED), "returned": _count(status=S.RETURNED),
            "cancelled": _count(status=S.CANCELLED), "late": _count(is_late=True, status__in=RECEIVED),
            "participants": _sum(total, status=S.APPROVED), "participants_submitted": _sum(total, status=S.SUBMITTED)}


PARTICIPATION_VALUES = ("planned", "submitted", "approved", "returned", "cancelled", "late", "participants",
                        "participants_submitted")

TABLES: tuple[Table, ...] = (
    Table("activity_tally", ActivityTally, ("campaign_id", "region_id", "sector", "type_id", "status"),
          ("campaign", "region", "sector", "type", "status"), CATEGORY_VALUES, _category_vector, _category_recount),
    Table("region_tally", RegionTally, ("campaign_id", "region_id", "sector", "status"),
          ("campaign", "region", "sector", "status"), CATEGORY_VALUES, _category_vector, _category_recount),
    Table("type_tally", TypeTally, ("campaign_id", "type_id", "status"), ("campaign", "type", "status"),
          CATEGORY_VALUES, _category_vector, _category_recount),
    Table("day_tally", DayTally, ("campaign_id", "region_id", "sector", "day", "status"),
          ("campaign", "region", "sector", "starts_on", "status"), ("activities", "participants"), _day_vector,
          lambda: {"activities": _count(), "participants": _sum(_participants_expr())}),
    Table("participation", Participation, ("campaign_id", "organisation_id", "region_id", "sector"),
          ("campaign", "organisation", "region", "sector"), PARTICIPATION_VALUES, _participation_vector,
          _participation_recount),
)
PARTICIPATION = TABLES[-1]
REGION_COUNT_KEYS = ("campaign_id", "region_id", "sector")
REGION_COUNT_VALUES = ("organisations", "reported", "approved")


def _org_flags(values: Sequence[int]) -> tuple[int, int, int]:
    """(takes part, has reported, has an approved report) from a participation row's counters."""
    planned, submitted, approved, returned = values[0], values[1], values[2], values[3]
    return (int(planned + submitted + approved + returned > 0), int(submitted + approved > 0), int(approved > 0))


# --- applying changes ------------------------------------------------------------------------------------

Deltas = dict[tuple, list[int]]


def _add(deltas: Deltas, key: tuple, vector: Sequence[int], sign: int) -> None:
    row = deltas.get(key)
    if row is None:
        deltas[key] = [sign * v for v in vector]
    else:
        for i, v in enumerate(vector):
            row[i] += sign * v


def _collect(pairs: Iterable[tuple[ActivityState | None, ActivityState | None]]) -> dict[str, Deltas]:
    out: dict[str, Deltas] = {t.name: {} for t in TABLES}
    for before, after in pairs:
        for table in TABLES:
            deltas = out[table.name]
            if before is not None:
                _add(deltas, table.key(before), table.vector(before), -1)
            if after is not None:
                _add(deltas, table.key(after), table.vector(after), +1)
    return {name: {k: v for k, v in d.items() if any(v)} for name, d in out.items()}


def _adapt(value: Any) -> Any:
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _upsert(model: type[models.Model], keys: Sequence[str], values: Sequence[str], deltas: Deltas,
            returning: bool = False) -> list[tuple]:
    """Add each delta vector to its row, creating rows as needed; optionally return the new rows."""
    if not deltas:
        return []
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(c) for c in (*keys, *values))
    conflict = ", ".join(qn(c) for c in keys)
    assign = ", ".join(f"{qn(v)} = {table}.{qn(v)} + excluded.{qn(v)}" for v in values)
    tail = f" RETURNING {columns}" if returning else ""
    width = len(keys) + len(values)
    row_sql = "(" + ", ".join(["%s"] * width) + ")"
    items = sorted(deltas.items())
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH):
            chunk = items[start:start + BATCH]
            params: list[Any] = []
            for key, vector in chunk:
                params.extend(_adapt(k) for k in key)
                params.extend(vector)
            sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "  # noqa: S608 - quoted model identifiers; values are parameters
                   f"ON CONFLICT ({conflict}) DO UPDATE SET {assign}{tail}")
            cursor.execute(sql, params)
            if returning:
                out.extend(cursor.fetchall())
    return out


def _apply(pairs: Iterable[tuple[ActivityState | None, ActivityState | None]]) -> None:
    collected = _collect(pairs)
    if not any(collected.values()):
        return
    campaigns: set[int] = set()
    with transaction.atomic():
        for table in TABLES:
            deltas = collected[table.name]
            campaigns.update(k[0] for k in deltas)
            rows = _upsert(table.model, table.keys, table.values, deltas, returning=table is PARTICIPATION)
            if table is PARTICIPATION:
                _region_counts(deltas, rows)
        public_cache.bump_figures_on_commit(campaigns)


def _region_counts(deltas: Deltas, rows: list[tuple]) -> None:
    """Move the per-region organisation counters for participation rows that crossed zero."""
    width = len(PARTICIPATION.keys)
    counts: Deltas = {}
    for row in rows:
        key, new = tuple(row[:width]), [int(v) for v in row[width:]]
        delta = deltas[key]
        old = [n - d for n, d in zip(new, delta, strict=True)]
        change = [a - b for a, b in zip(_org_flags(new), _org_flags(old), strict=True)]
        if any(change):
            campaign_id, _organisation_id, region_id, sector = key
            _add(counts, (campaign_id, region_id, sector), change, +1)
    _upsert(RegionCount, REGION_COUNT_KEYS, REGION_COUNT_VALUES, {k: v for k, v in counts.items() if any(v)})


def activity_changed(before: ActivityState | None, after: ActivityState | None) -> None:
    """Move an activity's contribution from ``before`` to ``after`` (None: created / deleted).
    Call it inside the transaction that writes the activity."""
    if before == after:
        return
    _apply([(before, after)])


def activities_created(activities: Iterable[Activity | dict[str, Any]]) -> None:
    """Add freshly bulk-inserted activities (demo data, spreadsheet import) — model instances or the
    dicts of attnames a COPY wrote: a few statements per batch of rows whatever their number."""
    _apply((None, ActivityState.of(a) if isinstance(a, Activity) else ActivityState.from_values(a))
           for a in activities)


# --- recount and rebuild ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    table: str
    key: dict[str, Any]
    field: str
    stored: int
    expected: int

    def __str__(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{self.table} [{where}] {self.field}: stored {self.stored}, recounted {self.expected}"


Counts = dict[tuple, tuple[int, ...]]


def _norm(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _expected(table: Table, campaign_id: int | None) -> Counts:
    qs = Activity.objects.all()
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    rows: Any = qs.order_by().values(*table.fields).annotate(**table.recount())
    out: Counts = {}
    for row in rows:
        vector = tuple(int(row[v] or 0) for v in table.values)
        if any(vector):
            out[tuple(_norm(row[f]) for f in table.fields)] = vector
    return out


def _stored(model: type[models.Model], keys: Sequence[str], values: Sequence[str], campaign_id: int | None) -> Counts:
    qs = model._default_manager.all()
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    out: Counts = {}
    for row in qs.values_list(*keys, *values):
        vector = tuple(int(v) for v in row[len(keys):])
        if any(vector):
            out[tuple(_norm(v) for v in row[:len(keys)])] = vector
    return out


def _expected_region_counts(participation: Counts) -> Counts:
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (campaign_id, _org, region_id, sector), values in participation.items():
        for i, flag in enumerate(_org_flags(values)):
            out[(campaign_id, region_id, sector)][i] += flag
    return {k: tuple(v) for k, v in out.items() if any(v)}


def _compare(name: str, keys: Sequence[str], values: Sequence[str], stored: Counts,
             expected: Counts) -> list[Difference]:
    diffs: list[Difference] = []
    zero = (0,) * len(values)
    for key in sorted(set(stored) | set(expected), key=repr):
        have, want = stored.get(key, zero), expected.get(key, zero)
        if have != want:
            for field, h, w in zip(values, have, want, strict=True):
                if h != w:
                    diffs.append(Difference(name, dict(zip(keys, key, strict=True)), field, h, w))
    return diffs


def _campaign_ids(campaign: Any) -> list[int | None]:
    return [None] if campaign is None else [campaign if isinstance(campaign, int) else campaign.pk]


def recount(campaign: Any = None) -> list[Difference]:
    """Recompute every aggregate from the raw activities; return where the tables differ."""
    diffs: list[Difference] = []
    for campaign_id in _campaign_ids(campaign):
        participation: Counts = {}
        for table in TABLES:
            expected = _expected(table, campaign_id)
            if table is PARTICIPATION:
                participation = expected
            diffs += _compare(table.name, table.keys, table.values,
                              _stored(table.model, table.keys, table.values, campaign_id), expected)
        diffs += _compare("region_count", REGION_COUNT_KEYS, REGION_COUNT_VALUES,
                          _stored(RegionCount, REGION_COUNT_KEYS, REGION_COUNT_VALUES, campaign_id),
                          _expected_region_counts(participation))
    return diffs


def _lock_tables() -> None:
    """On PostgreSQL, hold concurrent increments back while the tables are rebuilt (they wait, then
    apply on top of the rebuilt rows). SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        models_: list[Any] = [*(t.model for t in TABLES), RegionCount]
        names = [m._meta.db_table for m in models_]
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE " + ", ".join(connection.ops.quote_name(n) for n in names)
                           + " IN SHARE ROW EXCLUSIVE MODE")


def _insert(model: Any, keys: Sequence[str], values: Sequence[str], rows: Counts) -> None:
    objs = [model(**dict(zip(keys, k, strict=True)), **dict(zip(values, v, strict=True))) for k, v in rows.items()]
    model._default_manager.bulk_create(objs, batch_size=2000)


@transaction.atomic
def rebuild(campaign: Any = None) -> int:
    """Reset the tally tables (of one campaign, or all) from a recount. Returns the rows written."""
    _lock_tables()
    written = 0
    touched: set[int] = set()
    for campaign_id in _campaign_ids(campaign):
        participation: Counts = {}
        for table in TABLES:
            manager = table.model._default_manager
            (manager.filter(campaign_id=campaign_id) if campaign_id else manager.all()).delete()
            expected = _expected(table, campaign_id)
            if table is PARTICIPATION:
                participation = expected
            touched.update(k[0] for k in expected)
            _insert(table.model, table.keys, table.values, expected)
            written += len(expected)
        counts = _expected_region_counts(participation)
        (RegionCount.objects.filter(campaign_id=campaign_id) if campaign_id else RegionCount.objects.all()).delete()
        _insert(RegionCount, REGION_COUNT_KEYS, REGION_COUNT_VALUES, counts)
        written += len(counts)
        if campaign_id:
            touched.add(campaign_id)
    public_cache.bump_figures_on_commit(touched)
    return written
