"""A burst of work larger than the connection pool queues for a connection instead of opening one each."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's (psycopg_pool)"),
]


def test_a_burst_beyond_the_pool_waits_for_a_connection():
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    assert pool, "PostgreSQL runs without a connection pool"
    burst = pool["max_size"] * 2
    errors: list[BaseException] = []
    peak: list[int] = []
    start = threading.Barrier(burst, timeout=30)

    def work() -> None:
        try:
            start.wait()
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
                peak.append(cursor.fetchone()[0])
                cursor.execute("SELECT pg_sleep(0.2)")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()  # back to the pool

    threads = [threading.Thread(target=work) for _ in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(peak) == burst
    assert max(peak) <= pool["max_size"] + 1  # + the test's own connection
