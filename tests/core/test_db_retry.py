"""Service transactions retried after a deadlock or a serialization failure."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection, connections, transaction

from qualityweek.core.db import atomic_retrying
from qualityweek.directory.models import Region


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _failing(sqlstate: str, failures: int, calls: list[int]):
    @atomic_retrying
    def work() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("aborted") from _PgError(sqlstate)
        return "done"

    return work


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("sqlstate", ["40P01", "40001"], ids=["deadlock", "serialization"])
def test_a_conflict_is_run_again(sqlstate):
    calls: list[int] = []
    assert _failing(sqlstate, 2, calls)() == "done"
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_errors_and_endless_conflicts_surface():
    calls: list[int] = []
    with pytest.raises(OperationalError):
        _failing("53300", 1, calls)()  # too_many_connections: not a conflict, not retried
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(OperationalError):
        _failing("40P01", 99, calls)()
    assert len(calls) == 4  # bounded


@pytest.mark.django_db
def test_inside_an_outer_transaction_it_joins_and_leaves_the_retry_to_the_outer_one():
    calls: list[int] = []
    with pytest.raises(OperationalError), transaction.atomic():
        _failing("40P01", 1, calls)()
    assert len(calls) == 1


def _deadlock(wrap) -> tuple[Counter, list[BaseException]]:
    """Two threads lock two regions in opposite order, each holding its first lock until the other
    holds its own: PostgreSQL must abort one of them."""
    first, second = Region.objects.order_by("pk").values_list("pk", flat=True)[:2]
    both_hold_one = threading.Barrier(2, timeout=20)
    attempts: Counter = Counter()
    errors: list[BaseException] = []

    def lock(name: str, a: int, b: int) -> None:
        attempts[name] += 1
        Region.objects.select_for_update().get(pk=a)
        if attempts[name] == 1:
            both_hold_one.wait()
        Region.objects.select_for_update().get(pk=b)

    def run(name: str, a: int, b: int) -> None:
        try:
            wrap(lock)(name, a, b)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=("one", first, second)),
               threading.Thread(target=run, args=("two", second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return attempts, errors


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="a real deadlock needs PostgreSQL's row locks")


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forced_deadlock_really_happens_without_the_retry():
    _, errors = _deadlock(transaction.atomic)
    assert len(errors) == 1
    assert "deadlock" in str(errors[0])


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_retry_absorbs_a_forced_deadlock():
    attempts, errors = _deadlock(atomic_retrying)
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # the aborted side ran once more
