"""Several issuers at once (two coordinators' jobs, a retried job beside the first run): every holder
ends with exactly one valid certificate and no number is given twice."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from qualityweek.certificates import services
from qualityweek.certificates.models import Certificate, NumberRegister
from qualityweek.certificates.sources import Subject
from qualityweek.core.audit import Actor

CONCURRENT = 6


def test_the_database_refuses_a_second_valid_certificate_and_a_repeated_number(db, players):
    players.update({"player:1": ("Сова", "за игру"), "player:2": ("Знаток", "за игру")})
    services.issue(actor=Actor.system(), source_code="tests.players", subject=Subject(subject_id=1))
    first, second = Certificate.objects.order_by("pk")
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=second.pk).update(holder_key=first.holder_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=second.pk).update(number=first.number)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_give_one_valid_certificate_per_holder(world, players):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent issuing needs PostgreSQL's row locks; SQLite serialises all writers "
                    "(set DATABASE_URL=postgres://… to run it).")
    players.update({f"player:{n}": (f"Игрок {n}", "за участие в игре") for n in range(40)})
    barrier = threading.Barrier(CONCURRENT)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            services.issue(actor=Actor.system(), source_code="tests.players", subject=Subject(subject_id=1))
        except BaseException as exc:  # collected; the test asserts there were none
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert Certificate.objects.count() == 40
    assert Certificate.objects.filter(status="valid").values("holder_key").distinct().count() == 40
    assert sorted(Certificate.objects.values_list("number", flat=True)) == list(range(1, 41))
    assert NumberRegister.objects.get(kind="quiz_players").next_number == 41
