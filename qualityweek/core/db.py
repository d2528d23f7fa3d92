"""Service transactions that survive the database aborting them for a conflict.

PostgreSQL aborts one side of a deadlock (SQLSTATE 40P01) and, under stricter isolation, a
transaction that lost a serialization race (40001). Both are safe to run again from the start:
the aborted attempt left nothing behind, and its on-commit callbacks were discarded with it.

Lock order (docs/architecture.md): a service locks only the rows it changes (``of=("self",)``),
the activity before anything else, then the tally rows in their sorted key order.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable

from django.db import OperationalError, transaction

log = logging.getLogger(__name__)

CONFLICTS = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 4


def is_conflict(exc: BaseException) -> bool:
    """Whether the database aborted the transaction for a deadlock or a serialization failure."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in CONFLICTS or getattr(cause, "pgcode", None) in CONFLICTS


def atomic_retrying[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` in a transaction of its own, and again (with a short random pause) when it is
    aborted for a conflict. Called inside an outer transaction it simply joins it: only the
    outermost transaction can be retried, so the retry belongs to whoever opened it."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return fn(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or not is_conflict(exc):
                    raise
                log.info("%s: %s, attempt %d of %d", fn.__qualname__, exc.__cause__.__class__.__name__,
                         attempt, ATTEMPTS)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # jitter, not a secret  # noqa: S311
        raise AssertionError("unreachable")

    return run
