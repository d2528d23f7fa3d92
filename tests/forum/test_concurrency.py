"""No overbooking under concurrency: 50 people register at the same instant for 10 seats on PostgreSQL;
exactly 10 are confirmed, 40 wait in the queue, and the quota row agrees."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from qualityweek.core.audit import Actor
from qualityweek.forum import services
from qualityweek.forum.models import Registration, Session
from qualityweek.forum.services import Applicant

from .conftest import make_forum, plenary

S = Registration.Status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_registrations_for_ten_seats(world):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent registration needs PostgreSQL's row locks; SQLite serialises all writers "
                    "(set DATABASE_URL=postgres://… to run it).")
    forum = make_forum(world.operator, capacity=10)
    session = plenary(forum)
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.register(actor=Actor.public("10.0.0.9"), forum=forum, session=session, venue=session.venue,
                              applicant=Applicant(name=f"Участник {i}", email=f"p{i}@example.ru"), consent=True)
        except BaseException as exc:  # collected; the test asserts there were none
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert not errors, errors
    assert Registration.objects.filter(status=S.CONFIRMED).count() == 10
    assert Registration.objects.filter(status=S.WAITLISTED).count() == 40
    assert Session.objects.get(pk=session.pk).taken == 10
