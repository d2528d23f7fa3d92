"""Fair totals: the weighted raw mean and the per-juror normalised score (decision record 0022).

Pure functions over plain numbers, so the method is tested on its own (hypothesis) and the chair's
page, the export and the confirmation all rank the same way.

- A score's total is the weighted mean of its criterion values, each mapped to 0–100 on its own
  scale: ``100 · (v − min) / (max − min)``.
- The raw result of an application is the mean of its totals.
- Normalised: for a juror with at least ``MIN_SCORES`` scores in the pool, each total becomes
  ``μ + σ · (x − μ_j) / σ_j`` — the juror's z-score mapped back onto the pool's mean μ and standard
  deviation σ (population SD). A juror whose scores are all equal (σ_j = 0) maps to μ. A juror with
  fewer scores keeps their raw totals («мало оценок для калибровки»). The normalised result is the
  mean of the mapped totals.
- An outlier is a score at least ``OUTLIER_GAP`` points (of 100) away from the median of the
  application's scores (with two scores 2 × 30 apart, both are flagged: nobody can tell which).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_SCORES = 5
OUTLIER_GAP = 30.0


@dataclass(frozen=True)
class Scale:
    weight: int
    low: int
    high: int


def weighted_total(values: Mapping[int, int], scales: Mapping[int, Scale]) -> float:
    """The weighted mean on 0–100 of one juror's criterion values."""
    weights = sum(s.weight for s in scales.values())
    if not weights:
        return 0.0
    acc = sum(s.weight * 100.0 * (values[c] - s.low) / (s.high - s.low) for c, s in scales.items())
    return acc / weights


@dataclass(frozen=True)
class Mark:
    juror: int
    application: int
    total: float


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def _sd(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def calibrated(marks: Iterable[Mark]) -> set[int]:
    counts: dict[int, int] = defaultdict(int)
    for m in marks:
        counts[m.juror] += 1
    return {j for j, n in counts.items() if n >= MIN_SCORES}


def normalise(marks: Sequence[Mark]) -> dict[tuple[int, int], float]:
    """(juror, application) → the normalised total (the raw one for jurors not calibrated)."""
    if not marks:
        return {}
    pool = [m.total for m in marks]
    mu, sigma = _mean(pool), _sd(pool)
    by_juror: dict[int, list[float]] = defaultdict(list)
    for m in marks:
        by_juror[m.juror].append(m.total)
    stats = {j: (_mean(xs), _sd(xs)) for j, xs in by_juror.items() if len(xs) >= MIN_SCORES}
    out: dict[tuple[int, int], float] = {}
    for m in marks:
        if m.juror not in stats:
            out[m.juror, m.application] = m.total
            continue
        mu_j, sigma_j = stats[m.juror]
        z = (m.total - mu_j) / sigma_j if sigma_j > 0 else 0.0
        out[m.juror, m.application] = mu + sigma * z
    return out


def outliers(marks: Sequence[Mark]) -> set[tuple[int, int]]:
    by_app: dict[int, list[Mark]] = defaultdict(list)
    for m in marks:
        by_app[m.application].append(m)
    flagged: set[tuple[int, int]] = set()
    for app_marks in by_app.values():
        if len(app_marks) < 2:
            continue
        middle = statistics.median(m.total for m in app_marks)
        for m in app_marks:
            if abs(m.total - middle) >= OUTLIER_GAP:
                flagged.add((m.juror, m.application))
    return flagged


@dataclass
class Row:
    application: int
    raw: float
    normalised: float
    count: int
    raw_rank: int = 0
    rank: int = 0
    outliers: list[int] = field(default_factory=list)  # jurors whose score is flagged

    @property
    def moved(self) -> int:
        """How many places normalisation moved the application (positive: up)."""
        return self.raw_rank - self.rank


def rank(marks: Sequence[Mark], applications: Iterable[int] = ()) -> list[Row]:
    """Every application (with or without scores), ordered by the normalised result; ties keep the
    raw order, then the id. ``raw_rank`` is the place the raw mean alone would give."""
    norm = normalise(marks)
    flagged = outliers(marks)
    raw: dict[int, list[float]] = defaultdict(list)
    mapped: dict[int, list[float]] = defaultdict(list)
    for m in marks:
        raw[m.application].append(m.total)
        mapped[m.application].append(norm[m.juror, m.application])
    ids = set(applications) | set(raw)
    rows = [Row(application=a, raw=_mean(raw[a]) if raw[a] else 0.0,
                normalised=_mean(mapped[a]) if mapped[a] else 0.0, count=len(raw[a]),
                outliers=sorted(j for j, app in flagged if app == a)) for a in ids]
    for place, row in enumerate(sorted(rows, key=lambda r: (-r.raw, r.application)), start=1):
        row.raw_rank = place
    rows.sort(key=lambda r: (-r.normalised, -r.raw, r.application))
    for place, row in enumerate(rows, start=1):
        row.rank = place
    return rows
