"""The practice table walked state by state: the steps the page offers are the steps ``can`` allows,
and exactly the steps the services accept; every other step is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.core.permissions import actions_for, can
from qualityweek.showcase import rules, services
from qualityweek.showcase.models import BestPractice

from .conftest import STORY

pytestmark = pytest.mark.django_db
STEPS = {"edit", "publish", "changes", "reject"}


class _Rollback(Exception):
    pass


def accepted(call: Callable[[], Any]) -> bool:
    before = AuditEntry.objects.count()
    try:
        with transaction.atomic():
            call()
            done = AuditEntry.objects.count() > before
            raise _Rollback
    except _Rollback:
        return done
    except (ValidationError, PermissionDenied):
        assert AuditEntry.objects.count() == before
        return False


def _calls(actor: Actor, practice: BestPractice) -> dict[str, Callable[[], Any]]:
    return {
        "edit": lambda: services.revise(actor=actor, practice=practice, title="Урок качества", story=STORY),
        "publish": lambda: services.publish(actor=actor, practice=practice),
        "changes": lambda: services.request_changes(actor=actor, practice=practice, comment="Добавьте фото."),
        "reject": lambda: services.reject(actor=actor, practice=practice, comment="Повтор."),
    }


@pytest.mark.parametrize("status", BestPractice.Status.values)
def test_practice_table(world, nominate, status):
    assert set(rules.PRACTICE_ACTIONS) == set(BestPractice.Status.values)
    allowed = rules.PRACTICE_ACTIONS[status]
    practice = nominate(status)
    assert practice.status == status
    for user, party in ((world.school_rep, {"edit"}), (world.kirov_edu, {"edit"}),
                        (world.editor, {"publish", "changes", "reject"})):
        shown = set(actions_for(user, practice)) & STEPS
        assert shown == {step for step in STEPS if can(user, step, practice)} == allowed & party, user
        calls = _calls(Actor(user=user), practice)
        for step in STEPS:
            assert accepted(calls[step]) == (step in allowed & party), (user, step)
    for user in (world.moscow_edu, world.company_rep):
        assert not set(actions_for(user, practice)) & STEPS
        assert not any(accepted(call) for call in _calls(Actor(user=user), practice).values())


def test_the_page_offers_only_the_decisions_the_status_allows(client, world, nominate):
    client.force_login(world.editor)
    published = client.get(f"/practices/manage/{nominate('published').pk}/").content.decode()
    assert "Запросить правки" in published
    assert "Опубликовать</button>" not in published
    rejected = client.get(f"/practices/manage/{nominate('rejected', title='Другая').pk}/").content.decode()
    assert "Решение редакции" not in rejected
