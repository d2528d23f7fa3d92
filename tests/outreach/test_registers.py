"""Registers of outgoing numbers: a pattern per sender and year, numbers in order, and never the same
number twice — enforced by a row lock and, beneath it, a database constraint (checked with real
concurrent registrations on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.outreach import services
from qualityweek.outreach.models import Letter, Register


def test_numbers_follow_the_register_pattern(world, operator_sender, make_letter):
    services.save_register(actor=Actor(user=world.operator), sender=operator_sender, year=2026,
                           pattern="{n}-РСК", next_number=2174)
    first = make_letter(date=dt.date(2026, 10, 22))
    second = make_letter(date=dt.date(2026, 10, 23))
    assert (first.reg_number, second.reg_number) == ("2174-РСК", "2175-РСК")
    assert (first.number, second.number) == (2174, 2175)
    assert first.reg_date == dt.date(2026, 10, 22)
    assert Register.objects.get(sender=operator_sender, year=2026).next_number == 2176
    assert AuditEntry.objects.filter(action="letter.register").count() == 2


def test_a_new_year_opens_its_own_register(world, operator_sender, make_letter):
    services.save_register(actor=Actor(user=world.operator), sender=operator_sender, year=2026,
                           pattern="{n}-РСК", next_number=40)
    old = make_letter(date=dt.date(2026, 12, 30))
    # Registering into a year without a register opens one with the plain pattern, numbered from 1.
    new = make_letter(date=dt.date(2027, 1, 9))
    earlier = make_letter(date=dt.date(2025, 6, 1))
    assert (old.reg_number, new.reg_number, earlier.reg_number) == ("40-РСК", "1", "1")
    assert Register.objects.get(sender=operator_sender, year=2027).pattern == "{n}"
    assert Register.objects.get(sender=operator_sender, year=2026).next_number == 41


def test_each_sender_numbers_in_its_own_register(world, operator_sender, kirov_industry_sender, make_letter):
    actor = Actor(user=world.kirov_business)
    services.save_register(actor=actor, sender=kirov_industry_sender, year=2026, pattern="{n}-01-08",
                           next_number=412)
    services.save_register(actor=Actor(user=world.operator), sender=operator_sender, year=2026, pattern="{n}-РСК",
                           next_number=2174)
    ours = make_letter(date=dt.date(2026, 10, 22))
    theirs = make_letter("cascade_business", user=world.kirov_business, sender=kirov_industry_sender,
                         date=dt.date(2026, 10, 27))
    assert (ours.reg_number, theirs.reg_number) == ("2174-РСК", "412-01-08")


@pytest.mark.parametrize(("pattern", "field_message"), [
    ("РСК", "ровно одно «{n}»"),
    ("{n}-{n}", "ровно одно «{n}»"),
    ("{x}-{n}", "фигурные скобки"),
    ("{n}" + "-" * 40, "слишком длинный"),
])
def test_a_bad_pattern_is_refused_in_russian(world, operator_sender, pattern, field_message):
    with pytest.raises(ValidationError) as exc:
        services.save_register(actor=Actor(user=world.operator), sender=operator_sender, year=2026, pattern=pattern)
    assert field_message in " ".join(exc.value.message_dict["pattern"])
    assert not Register.objects.exists()


def test_pattern_is_frozen_once_a_number_is_issued(world, operator_sender, make_letter):
    actor = Actor(user=world.operator)
    services.save_register(actor=actor, sender=operator_sender, year=2026, pattern="{n}-РСК", next_number=10)
    make_letter(date=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as exc:
        services.save_register(actor=actor, sender=operator_sender, year=2026, pattern="{n}/РСК", next_number=1)
    assert "менять нельзя" in exc.value.message_dict["pattern"][0]
    register = Register.objects.get(sender=operator_sender, year=2026)
    assert (register.pattern, register.next_number) == ("{n}-РСК", 11)


def test_a_coordinator_cannot_open_the_operators_register(world, operator_sender):
    with pytest.raises(PermissionDenied):
        services.save_register(actor=Actor(user=world.kirov_edu), sender=operator_sender, year=2026, pattern="{n}")


def test_a_registered_letter_is_frozen(world, make_letter):
    letter = make_letter(date=dt.date(2026, 10, 22))
    with pytest.raises(PermissionDenied):  # the "change" rule allows drafts only
        services.update_letter(actor=Actor(user=world.operator), letter=letter, title="Другой заголовок")
    with pytest.raises(ValidationError, match="уже зарегистрировано"):
        services.register_letter(actor=Actor.system(), letter=letter)
    before = (letter.title, letter.number, letter.reg_number)
    letter.refresh_from_db()
    assert (letter.title, letter.number, letter.reg_number) == before


def test_the_database_refuses_a_duplicate_number(world, make_letter):
    first = make_letter(date=dt.date(2026, 10, 22))
    second = make_letter(register=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=second.pk).update(status="registered", register=first.register,
                                                   number=first.number, reg_number=first.reg_number,
                                                   reg_date=first.reg_date)


def _register_all_at_once(letter_ids: list[int], date: dt.date) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(len(letter_ids))
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(pk: int) -> None:
        try:
            letter = Letter.objects.get(pk=pk)
            barrier.wait(timeout=30)
            done = services.register_letter(actor=Actor.system(), letter=letter, date=date)
            with lock:
                numbers.append(done.reg_number)
        except BaseException as exc:  # collected; the test asserts there were none
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in letter_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return numbers, errors


CONCURRENT = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("register_exists", [True, False], ids=["open-register", "first-letter-of-the-year"])
def test_concurrent_registrations_never_share_a_number(world, operator_sender, make_letter, register_exists):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent registration needs PostgreSQL's row locks; SQLite serialises all writers "
                    "(set DATABASE_URL=postgres://… to run it).")
    date = dt.date(2026, 10, 22)
    if register_exists:
        services.save_register(actor=Actor.system(), sender=operator_sender, year=2026, pattern="{n}-РСК",
                               next_number=2174)
    drafts = [make_letter(register=False).pk for _ in range(CONCURRENT)]
    numbers, errors = _register_all_at_once(drafts, date)
    assert not errors, errors
    first = 2174 if register_exists else 1
    suffix = "-РСК" if register_exists else ""
    assert sorted(numbers, key=lambda n: int(n.split("-")[0])) == [f"{n}{suffix}" for n in
                                                                   range(first, first + CONCURRENT)]
    assert Letter.objects.filter(status="registered").values("number").distinct().count() == CONCURRENT
    assert Register.objects.get(sender=operator_sender, year=2026).next_number == first + CONCURRENT
