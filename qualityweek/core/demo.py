"""What every app's demo step receives. The steps themselves are run by ``qualityweek.demo``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoContext:
    seed: int
    organisations: int
    today: dt.date
    on_progress: Callable[[int, int, str], None]
