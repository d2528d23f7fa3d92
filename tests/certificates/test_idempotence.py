"""Issuing, renaming and revoking in any order: exactly one valid certificate per holder and reason,
numbers never repeat, and issuing twice in a row creates nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from qualityweek.certificates import services
from qualityweek.certificates.models import Certificate
from qualityweek.certificates.sources import Subject
from qualityweek.core.audit import Actor

KEYS = ["player:1", "player:2", "player:3"]
NICKNAMES = ["Знаток", "Сова", "Капитан Качество", "Ёжик"]
GAME = Subject(subject_id=1)

ops = st.one_of(
    st.tuples(st.just("issue")),
    st.tuples(st.just("join"), st.sampled_from(KEYS), st.sampled_from(NICKNAMES)),
    st.tuples(st.just("rename"), st.sampled_from(KEYS), st.sampled_from(NICKNAMES)),
    st.tuples(st.just("leave"), st.sampled_from(KEYS)),
    st.tuples(st.just("revoke"), st.sampled_from(KEYS)),
    st.tuples(st.just("reissue"), st.sampled_from(KEYS)),
)


def _apply(op: tuple, players: dict) -> None:
    system = Actor.system()
    match op:
        case ("issue",):
            services.issue(actor=system, source_code="tests.players", subject=GAME)
        case ("join", key, name) | ("rename", key, name):
            if op[0] == "join" or key in players:
                players[key] = (name, "за участие в игре «Знатоки качества»")
        case ("leave", key):
            players.pop(key, None)
        case ("revoke", key) | ("reissue", key):
            cert = Certificate.objects.filter(holder_key=key, status="valid").first()
            if cert is not None and op[0] == "revoke":
                services.revoke(actor=system, certificate=cert, reason="Нарушение правил игры")
            elif cert is not None:
                services.reissue(actor=system, certificate=cert)


def _check(players: dict) -> None:
    valid = list(Certificate.objects.filter(status="valid").values_list("holder_key", flat=True))
    assert len(valid) == len(set(valid)), "two valid certificates for one holder"
    numbers = list(Certificate.objects.values_list("number_text", flat=True))
    assert len(numbers) == len(set(numbers)), "a number issued twice"
    for cert in Certificate.objects.filter(status="revoked"):
        assert cert.revoked_at is not None
        assert cert.revoke_reason


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(ops, max_size=14))
def test_one_valid_certificate_per_holder_after_any_sequence(world, players, sequence):
    with transaction.atomic():
        players.clear()
        for op in sequence:
            note(repr(op))
            _apply(op, players)
            _check(players)
        # A final issue gives every current player exactly one valid certificate with their current name…
        services.issue(actor=Actor.system(), source_code="tests.players", subject=GAME)
        _check(players)
        valid = {c.holder_key: c.holder_name for c in Certificate.objects.filter(status="valid")}
        for key, (name, _) in players.items():
            assert valid[key] == name
        # …and issuing again creates nothing.
        before = Certificate.objects.count()
        again = services.issue(actor=Actor.system(), source_code="tests.players", subject=GAME)
        assert (again.created, again.reissued) == (0, 0)
        assert Certificate.objects.count() == before
        transaction.set_rollback(True)
